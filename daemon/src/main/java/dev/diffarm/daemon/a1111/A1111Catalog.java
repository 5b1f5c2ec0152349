package dev.diffarm.daemon.a1111;

import dev.diffarm.daemon.render.EmbeddingDirectory;
import dev.diffarm.daemon.render.LoraDirectory;
import dev.diffarm.daemon.render.LoadedModels;
import dev.diffarm.daemon.render.ModelDirectory;
import dev.diffarm.daemon.render.UpscalerCatalog;
import dev.diffarm.engine.embedding.Embedding;
import dev.diffarm.engine.embedding.EmbeddingException;
import dev.diffarm.engine.embedding.EmbeddingLibrary;
import dev.diffarm.engine.pipeline.LatentUpscaler;
import dev.diffarm.engine.sampler.SamplerRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The farm's models, samplers, schedules, LoRAs, embeddings and upscalers as A1111 lists them, and A1111's names of
 * them (a model's title {@code name [hash]}, a scheduler's {@code sgm_uniform}) turned back into the farm's.
 */
final class A1111Catalog {
    /** A1111's name for "the sampler's own schedule". */
    static final String AUTOMATIC = "automatic";
    /** A1111's upscaler that leaves the picture as it is, first in its list. */
    static final String NO_UPSCALER = "None";
    /** The {@code scale} A1111's {@code UpscalerData} has unless the model says otherwise. */
    private static final double A1111_UPSCALER_SCALE = 4;
    /** The {@code model_name} of the models of A1111's ESRGAN folder. */
    private static final String ESRGAN_MODEL_NAME = "ESRGAN";

    private final ModelDirectory models;
    private final LoadedModels loaded;
    private final Supplier<SamplerRegistry> samplers;
    private final LoraDirectory loras;
    private final EmbeddingDirectory embeddings;
    private final UpscalerCatalog upscalers;

    A1111Catalog(ModelDirectory models, LoadedModels loaded, Supplier<SamplerRegistry> samplers, LoraDirectory loras,
                 EmbeddingDirectory embeddings, UpscalerCatalog upscalers) {
        this.models = models;
        this.loaded = loaded;
        this.samplers = samplers;
        this.loras = loras;
        this.embeddings = embeddings;
        this.upscalers = upscalers;
    }

    List<A1111Items.SdModel> sdModels() {
        return models.models().stream().map(model -> new A1111Items.SdModel(model.name(), model.name(), null, null,
                model.path().toString(), null)).toList();
    }

    /**
     * The farm's model that A1111's {@code sd_model_checkpoint} names: its name, its title with a {@code [hash]}, or
     * its file name.
     */
    Optional<String> model(String a1111Name) {
        // Only spaces around the hash go: a control character must reach the job's validation, not be trimmed away.
        String name = a1111Name.replaceFirst(" *\\[[0-9a-fA-F]*] *$", "");
        for (String candidate : List.of(name, name.replaceFirst("\\.(safetensors|ckpt)$", ""))) {
            if (models.find(candidate).isPresent()) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The model a request renders with when neither it nor the caller's options name one. */
    Optional<String> defaultModel() {
        return loaded.first().or(() -> models.models().stream().map(ModelDirectory.Model::name).findFirst());
    }

    List<String> modelNames() {
        return models.models().stream().map(ModelDirectory.Model::name).toList();
    }

    List<A1111Items.Sampler> samplers() {
        return samplers.get().samplers().stream().map(entry -> new A1111Items.Sampler(entry.name(),
                entry.sampler().aliases(), Map.of())).toList();
    }

    /** The farm's default sampler where it has A1111's API default ({@code Euler}), else its first. */
    String defaultSampler() {
        List<String> names = samplers.get().names();
        return names.contains("Euler") || names.isEmpty() ? "Euler" : names.get(0);
    }

    /** {@code automatic} (the sampler's own), then each schedule with A1111's snake-case name and its label. */
    List<A1111Items.Scheduler> schedulers() {
        List<A1111Items.Scheduler> items = new ArrayList<>();
        items.add(new A1111Items.Scheduler(AUTOMATIC, "Automatic", null, null, null));
        samplers.get().schedules().forEach(schedule -> items.add(new A1111Items.Scheduler(a1111Name(schedule.name()),
                schedule.name(), null, null, null)));
        return items;
    }

    /**
     * The farm's schedule for A1111's {@code scheduler} (its name or its label, any case): empty for
     * {@code automatic}; an unknown one is passed on as written, for the job's validation to name.
     */
    Optional<String> schedule(Optional<String> scheduler) {
        if (scheduler.isEmpty() || scheduler.get().equalsIgnoreCase(AUTOMATIC)) {
            return Optional.empty();
        }
        // Compared as sent: trimming would turn "\u0000Karras" into a valid name.
        String wanted = scheduler.get();
        return Optional.of(samplers.get().schedules().stream().map(SamplerRegistry.ScheduleEntry::name)
                .filter(name -> name.equalsIgnoreCase(wanted) || a1111Name(name).equalsIgnoreCase(wanted))
                .findFirst().orElse(wanted));
    }

    private static String a1111Name(String label) {
        return label.toLowerCase(Locale.ROOT).replace(' ', '_');
    }

    /**
     * The image upscalers as A1111's {@code shared.sd_upscalers} lists them: {@code None}, the resamplers, then the
     * model files sorted by name (case ignored), each with A1111's default scale 4. A1111 calls every file of its
     * ESRGAN folder's model {@code ESRGAN}, as diffarm's upscaler files are. The SD x4 upscalers are left out: A1111
     * has none, and the names here are for {@code hr_upscaler} and the Extras' {@code upscaler_1}, which cannot take
     * one.
     */
    List<A1111Items.Upscaler> upscalers() {
        List<A1111Items.Upscaler> items = new ArrayList<>();
        items.add(new A1111Items.Upscaler(NO_UPSCALER, null, null, null, A1111_UPSCALER_SCALE));
        upscalers.resamplerNames().forEach(name -> items.add(new A1111Items.Upscaler(name, null, null, null,
                A1111_UPSCALER_SCALE)));
        upscalers.modelFiles().stream().sorted(Comparator.comparing(file -> file.name().toLowerCase(Locale.ROOT)))
                .forEach(file -> items.add(new A1111Items.Upscaler(file.name(), ESRGAN_MODEL_NAME,
                        file.file().toString(), null, A1111_UPSCALER_SCALE)));
        upscalers.storeOnlyModelNames().forEach(name -> items.add(new A1111Items.Upscaler(name, ESRGAN_MODEL_NAME, null,
                null, A1111_UPSCALER_SCALE)));
        return items;
    }

    /** The hires pass's latent upscale modes, by A1111's names, in its order. */
    List<A1111Items.LatentUpscaleMode> latentUpscaleModes() {
        return Arrays.stream(LatentUpscaler.values()).map(mode -> new A1111Items.LatentUpscaleMode(mode.label())).toList();
    }

    List<A1111Items.Lora> loras() {
        return loras.names().stream().map(name -> new A1111Items.Lora(name, name,
                loras.dir().resolve(name + ".safetensors").toString(), Map.of())).toList();
    }

    /** Every embedding by name: those that can be read are loaded, the others skipped, as A1111 sorts them. */
    A1111Items.Embeddings embeddings() {
        EmbeddingLibrary library = embeddings.library();
        Map<String, A1111Items.Embedding> loaded = new TreeMap<>();
        Map<String, A1111Items.Embedding> skipped = new TreeMap<>();
        for (String name : library.names()) {
            try {
                Embedding embedding = library.get(name);
                loaded.put(name, new A1111Items.Embedding(null, null, null, embedding.width(), embedding.count()));
            } catch (EmbeddingException e) {
                skipped.put(name, new A1111Items.Embedding(null, null, null, 0, 0));
            }
        }
        return new A1111Items.Embeddings(loaded, skipped);
    }
}
