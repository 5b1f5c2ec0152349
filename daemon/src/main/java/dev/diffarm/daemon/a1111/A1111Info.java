package dev.diffarm.daemon.a1111;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.Instant;
import java.util.Collections;
import java.util.List;

/**
 * The {@code info} of a txt2img answer: a JSON string with the fields of A1111's {@code Processed.js()}, plus
 * {@code ignored} (the request's fields diffarm accepted without using) and {@code job} (the diffarm job that
 * rendered it, whose events and gallery stay under its id).
 */
final class A1111Info {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** At most this many ignored fields are named; a body of thousands of unknown fields gets a count for the rest. */
    static final int MAX_IGNORED_SHOWN = 100;
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss")
            .withZone(ZoneOffset.UTC);

    private A1111Info() {
    }

    /**
     * @param model     the model's name on the farm
     * @param clipSkip  the clip skip rendered with
     * @param sampler   the sampler's name as the job ran it
     * @param seeds     every image's seed
     * @param infotexts the {@code parameters} text of each image returned, in order
     */
    static String of(ProcessingRequest request, String jobId, String model, int clipSkip, String sampler,
                     List<Long> seeds, List<String> infotexts, Instant submitted) {
        ObjectNode info = JSON.createObjectNode();
        info.put("prompt", request.prompt());
        strings(info.putArray("all_prompts"), Collections.nCopies(seeds.size(), request.prompt()));
        info.put("negative_prompt", request.negativePrompt());
        strings(info.putArray("all_negative_prompts"), Collections.nCopies(seeds.size(), request.negativePrompt()));
        info.put("seed", seeds.get(0));
        ArrayNode allSeeds = info.putArray("all_seeds");
        seeds.forEach(allSeeds::add);
        // No variation seeds: A1111 reports subseed -1 and strength 0 then.
        info.put("subseed", -1);
        ArrayNode subseeds = info.putArray("all_subseeds");
        seeds.forEach(seed -> subseeds.add(-1));
        info.put("subseed_strength", 0);
        info.put("width", request.width());
        info.put("height", request.height());
        info.put("sampler_name", sampler);
        info.put("cfg_scale", request.cfgScale());
        info.put("steps", request.steps());
        info.put("batch_size", request.batchSize());
        info.put("restore_faces", false);
        info.putNull("face_restoration_model");
        info.put("sd_model_name", model);
        String hash = infotexts.isEmpty() ? null : Infotext.parse(infotexts.get(0)).get("Model hash");
        info.put("sd_model_hash", hash);
        info.putNull("sd_vae_name");
        info.putNull("sd_vae_hash");
        info.put("seed_resize_from_w", -1);
        info.put("seed_resize_from_h", -1);
        ModeFields.denoisingStrength(request.modes()).ifPresentOrElse(strength -> info.put("denoising_strength", strength),
                () -> info.putNull("denoising_strength"));
        info.putObject("extra_generation_params");
        info.put("index_of_first_image", 0);
        strings(info.putArray("infotexts"), infotexts);
        info.putArray("styles");
        info.put("job_timestamp", TIMESTAMP.format(submitted));
        info.put("clip_skip", clipSkip);
        info.put("is_using_inpainting_conditioning", false);
        info.put("version", "diffarm");
        List<String> ignored = request.ignored();
        ArrayNode ignoredArray = info.putArray("ignored");
        ignored.stream().limit(MAX_IGNORED_SHOWN).forEach(ignoredArray::add);
        if (ignored.size() > MAX_IGNORED_SHOWN) {
            ignoredArray.add("... and " + (ignored.size() - MAX_IGNORED_SHOWN) + " more");
        }
        info.put("job", jobId);
        return info.toString();
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }
}
