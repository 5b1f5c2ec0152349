package dev.diffarm.farm.config;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Function;

/** Writes jobs as JSON, every field present, in the order a person reads them. */
final class JobJson {
    private JobJson() {
    }

    static ObjectNode write(Job job) {
        ObjectNode node = Json.object();
        node.put("apiVersion", Job.API_VERSION);
        node.put("kind", job.kind());
        node.put("id", job.id());
        return job.accept(new Job.Visitor<>() {
            @Override
            public ObjectNode render(RenderJob render) {
                strings(node.putArray("prompts"), render.prompts());
                node.put("width", render.size().width());
                node.put("height", render.size().height());
                return writeSeedsAndSettings(node, render);
            }

            @Override
            public ObjectNode campaign(Campaign campaign) {
                strings(node.putArray("prompts"), campaign.prompts());
                ArrayNode styles = node.putArray("styles");
                campaign.styles().forEach(style -> writeStyle(styles.addObject(), style));
                ArrayNode sizes = node.putArray("sizes");
                campaign.sizes().forEach(size -> sizes.addObject().put("width", size.width()).put("height", size.height()));
                return writeSeedsAndSettings(node, campaign);
            }

            @Override
            public ObjectNode merge(MergeJob merge) {
                return node.setAll(merge.parametersTree());
            }

            @Override
            public ObjectNode train(TrainJob train) {
                return node.setAll(train.parametersTree());
            }

            @Override
            public ObjectNode upscale(UpscaleJob upscale) {
                return node.setAll(upscale.parametersTree());
            }
        });
    }

    private static ObjectNode writeSeedsAndSettings(ObjectNode node, ImageJob job) {
        ArrayNode seeds = node.putArray("seeds");
        job.seeds().forEach(seeds::add);
        writeSettings(node, job.settings());
        return node;
    }

    /** The settings as top-level fields of {@code node}, pictures inline as the job has them. */
    static void writeSettings(ObjectNode node, RenderSettings settings) {
        writeSettings(node, settings, ImageInput::json);
    }

    /** The settings as top-level fields of {@code node}, each picture as {@code picture} writes it. */
    static void writeSettings(ObjectNode node, RenderSettings settings, Function<ImageInput, String> picture) {
        node.put("model", settings.model());
        node.put("negativePrompt", settings.negativePrompt());
        node.put("sampler", settings.sampler());
        settings.schedule().ifPresent(schedule -> node.put("schedule", schedule));
        // only when set, so that the parameter hash of a task stored before eta existed stays the same
        settings.eta().ifPresent(eta -> node.put("eta", eta));
        node.put("steps", settings.steps());
        node.put("cfg", settings.cfg());
        node.put("clipSkip", settings.clipSkip());
        writeLoras(node.putArray("loras"), settings.loras());
        ModesJson.write(node, settings.modes(), picture);
    }

    private static void writeStyle(ObjectNode node, Style style) {
        node.put("name", style.name());
        node.put("template", style.template());
        node.put("negativePrompt", style.negativePrompt());
        writeLoras(node.putArray("loras"), style.loras());
        ModesJson.write(node, style.modes(), ImageInput::json);
    }

    private static void writeLoras(ArrayNode array, List<Lora> loras) {
        loras.forEach(lora -> array.addObject().put("name", lora.name()).put("weight", lora.weight()));
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }
}
