package dev.diffarm.daemon.a1111;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.diffarm.farm.config.EventError;
import dev.diffarm.farm.config.Job;
import dev.diffarm.farm.config.Limits;
import dev.diffarm.farm.config.RenderJob;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.random.RandomGenerator;
import java.util.stream.LongStream;

/**
 * An A1111 request as a diffarm render job: one prompt with {@code batch_size x n_iter} seeds counting up from
 * {@code seed} (A1111's {@code all_seeds}), and the job's validation problems named back by A1111's fields.
 */
final class A1111Jobs {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Job fields (the first segment of a problem's path) by the A1111 field they came from. */
    private static final Map<String, String> A1111_FIELDS = Map.ofEntries(Map.entry("id", "force_task_id"),
            Map.entry("model", "override_settings." + ProcessingRequest.MODEL_OPTION),
            Map.entry("prompts", "prompt"), Map.entry("negativePrompt", "negative_prompt"),
            Map.entry("sampler", "sampler_name"), Map.entry("schedule", "scheduler"), Map.entry("eta", "eta"),
            Map.entry("steps", "steps"), Map.entry("cfg", "cfg_scale"),
            Map.entry("clipSkip", "override_settings." + ProcessingRequest.CLIP_SKIP_OPTION),
            Map.entry("seeds", "seed"), Map.entry("width", "width"), Map.entry("height", "height"),
            Map.entry("initImage", "init_images"), Map.entry("resizeMode", "resize_mode"),
            Map.entry("denoisingStrength", "denoising_strength"), Map.entry("mask", "mask"),
            Map.entry("maskBlur", "mask_blur"), Map.entry("inpaintingMaskInvert", "inpainting_mask_invert"),
            Map.entry("inpaintingFill", "inpainting_fill"), Map.entry("inpaintFullRes", "inpaint_full_res"),
            Map.entry("inpaintFullResPadding", "inpaint_full_res_padding"), Map.entry("enableHr", "enable_hr"),
            Map.entry("hrScale", "hr_scale"), Map.entry("hrUpscaler", "hr_upscaler"),
            Map.entry("hrSecondPassSteps", "hr_second_pass_steps"),
            // an extra-single-image request's upscale job
            Map.entry("images", "image"), Map.entry("upscaler", "upscaler_1"), Map.entry("scale", "upscaling_resize"));

    private A1111Jobs() {
    }

    /**
     * The job for {@code request}.
     *
     * @param id       the job's id
     * @param model    the model's name on the farm
     * @param clipSkip A1111's clip skip (1 for the last layer)
     * @param schedule the farm's name of the request's scheduler; empty for the sampler's own
     * @param seeds    the seed of every image
     */
    static byte[] renderJob(ProcessingRequest request, String id, String model, int clipSkip, Optional<String> schedule,
                            String sampler, List<Long> seeds) {
        ObjectNode job = JSON.createObjectNode();
        job.put("apiVersion", Job.API_VERSION);
        job.put("kind", RenderJob.KIND);
        job.put("id", id);
        job.put("model", model);
        job.putArray("prompts").add(request.prompt());
        job.put("negativePrompt", request.negativePrompt());
        job.put("sampler", sampler);
        schedule.ifPresent(name -> job.put("schedule", name));
        request.eta().ifPresent(eta -> job.put("eta", eta));
        job.put("steps", request.steps());
        job.put("cfg", request.cfgScale());
        job.put("clipSkip", clipSkip);
        ArrayNode seedArray = job.putArray("seeds");
        seeds.forEach(seedArray::add);
        job.put("width", request.width());
        job.put("height", request.height());
        job.setAll(request.modes());
        return job.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A new job id: A1111's requests have none unless they force one. */
    static String newId() {
        return "a1111-" + UUID.randomUUID();
    }

    /**
     * A1111's {@code all_seeds}: {@code seed}, {@code seed + 1}, ... one per image; a random start for -1 (chosen so that
     * every seed stays in the farm's range).
     */
    static List<Long> seeds(ProcessingRequest request, RandomGenerator random) {
        long first = request.seed() >= 0 ? request.seed() : random.nextLong(Limits.MAX_SEED - request.images() + 2);
        return LongStream.range(first, first + request.images()).boxed().toList();
    }

    /**
     * The job's problem named by the A1111 field it came from ({@code cfg} → {@code cfg_scale}; a ControlNet unit's
     * field by its place in {@code alwayson_scripts.controlnet.args}, which {@code controlNetArgs} gives for each unit).
     */
    static A1111Problem asA1111(EventError error, List<Integer> controlNetArgs) {
        if (error.field().isEmpty()) {
            return new A1111Problem(error.code(), Optional.empty(), error.message());
        }
        String path = error.field().get();
        String head = path.split("[.\\[]", 2)[0];
        String field = ControlNetArgs.requestPath(path, controlNetArgs)
                .orElseGet(() -> A1111_FIELDS.getOrDefault(head, head));
        String message = error.message().startsWith(path) ? field + error.message().substring(path.length())
                : field + ": " + error.message();
        return A1111Problem.of(error.code(), field, message);
    }
}
