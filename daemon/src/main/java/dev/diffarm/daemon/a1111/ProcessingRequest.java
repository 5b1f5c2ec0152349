package dev.diffarm.daemon.a1111;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.diffarm.farm.config.Limits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What diffarm takes from an A1111 {@code txt2img} or {@code img2img} request (the fields of A1111's
 * {@code StableDiffusionProcessingTxt2Img} and {@code ...Img2Img}), with A1111's defaults for what is left out.
 *
 * @param prompt         {@code prompt} (default empty, which the farm refuses: it renders no empty prompt)
 * @param negativePrompt {@code negative_prompt}
 * @param seed           {@code seed}; -1 (the default) for a random one
 * @param sampler        {@code sampler_name}, else {@code sampler_index} as A1111's API takes it; empty for the
 *                       default
 * @param scheduler      {@code scheduler}; empty or {@code automatic} for the sampler's own
 * @param batchSize      {@code batch_size}: images per batch
 * @param iterations     {@code n_iter}: batches
 * @param steps          {@code steps}
 * @param cfgScale       {@code cfg_scale}
 * @param width          {@code width}
 * @param height         {@code height}
 * @param eta            {@code eta}; empty for the sampler's own
 * @param model          {@code override_settings.sd_model_checkpoint}; empty for the caller's option
 * @param clipSkip       {@code override_settings.CLIP_stop_at_last_layers}; empty for the caller's option
 * @param sendImages     {@code send_images}: whether the answer carries the images
 * @param taskId         {@code force_task_id}: the id of the diffarm job; empty for a new one
 * @param ignored        the fields sent that diffarm accepted without using them, sorted
 * @param modes          the render job's mode fields: the hires pass of a txt2img, the init image and mask of an
 *                       img2img (see {@link ModeFields}), the ControlNet units of either ({@link ControlNetArgs})
 * @param controlNetArgs for each of the job's ControlNet units, its index in {@code alwayson_scripts.controlnet.args}
 */
record ProcessingRequest(String prompt, String negativePrompt, long seed, Optional<String> sampler,
                         Optional<String> scheduler, int batchSize, int iterations, int steps, double cfgScale, int width,
                         int height, OptionalDouble eta, Optional<String> model, OptionalInt clipSkip, boolean sendImages,
                         Optional<String> taskId, List<String> ignored, ObjectNode modes,
                         List<Integer> controlNetArgs) {
    static final int DEFAULT_STEPS = 50;
    static final double DEFAULT_CFG = 7.0;
    static final int DEFAULT_SIDE = 512;
    /** A1111's option keys that diffarm honours, in {@code override_settings} and {@code /options}. */
    static final String MODEL_OPTION = "sd_model_checkpoint";
    static final String CLIP_SKIP_OPTION = "CLIP_stop_at_last_layers";

    /** Which A1111 request: each has its mode fields. */
    enum Kind {
        TXT2IMG(ModeFields.HIRES),
        IMG2IMG(ModeFields.IMG2IMG);

        private final Set<String> modeFields;

        Kind(Set<String> modeFields) {
            this.modeFields = modeFields;
        }
    }

    /** The fields both requests render from; every other A1111 field is an {@link IgnoredFields} one. */
    private static final Set<String> USED = Set.of("prompt", "negative_prompt", "seed", "sampler_name", "sampler_index",
            "scheduler", "batch_size", "n_iter", "steps", "cfg_scale", "width", "height", "eta", "override_settings",
            "send_images", "force_task_id", ControlNetArgs.SCRIPTS);

    /** The request of {@code body}, or every problem with it. */
    static Result read(A1111Body body, Kind kind) {
        List<String> ignored = new ArrayList<>();
        for (String name : body.fieldNames()) {
            if (USED.contains(name) || kind.modeFields.contains(name)) {
                continue;
            }
            // A1111 (pydantic) drops fields it does not know; diffarm says so.
            IgnoredFields.check(name, body.json().get(name)).ifPresentOrElse(body::problem, () -> ignored.add(name));
        }
        String prompt = body.string("prompt").orElse("");
        String negative = body.string("negative_prompt").orElse("");
        OptionalLong seed = body.integer("seed", -1, Limits.MAX_SEED);
        Optional<String> sampler = body.string("sampler_name").filter(name -> !name.isBlank());
        Optional<String> samplerIndex = body.string("sampler_index").filter(name -> !name.isBlank());
        Optional<String> scheduler = body.string("scheduler").filter(name -> !name.isBlank());
        OptionalLong batchSize = body.integer("batch_size", 1, Limits.MAX_TASKS);
        OptionalLong iterations = body.integer("n_iter", 1, Limits.MAX_TASKS);
        OptionalLong steps = body.integer("steps", 1, Limits.MAX_STEPS);
        OptionalDouble cfg = body.number("cfg_scale", 0, Limits.MAX_CFG);
        OptionalLong width = body.integer("width", 1, Limits.MAX_SIDE);
        OptionalLong height = body.integer("height", 1, Limits.MAX_SIDE);
        OptionalDouble eta = body.number("eta", 0, 1);
        boolean sendImages = body.bool("send_images").orElse(true);
        Optional<String> taskId = body.string("force_task_id").filter(id -> !id.isEmpty());
        Overrides overrides = body.object("override_settings").map(settings -> overrides(body, settings, ignored))
                .orElse(Overrides.NONE);
        ObjectNode modes = kind == Kind.TXT2IMG ? ModeFields.hires(body, prompt, negative, ignored)
                : ModeFields.img2img(body, ignored);
        ControlNetArgs.Units units = ControlNetArgs.read(body, ignored);
        if (!units.units().isEmpty()) {
            modes.set("controlnets", units.units());
        }

        int images = (int) (batchSize.orElse(1) * iterations.orElse(1));
        if (batchSize.isPresent() && iterations.isPresent() && images > Limits.MAX_TASKS) {
            body.problem(A1111Problem.of(A1111Problem.INVALID_VALUE, "batch_size", "batch_size x n_iter = "
                    + batchSize.getAsLong() + " x " + iterations.getAsLong() + ": expected at most " + Limits.MAX_TASKS
                    + " images"));
        }
        if (seed.isPresent() && seed.getAsLong() >= 0 && seed.getAsLong() + images - 1 > Limits.MAX_SEED) {
            body.problem(A1111Problem.of(A1111Problem.INVALID_VALUE, "seed", "seed = " + seed.getAsLong() + ": the "
                    + images + " images take seeds up to " + (seed.getAsLong() + images - 1) + "; expected them in 0.."
                    + Limits.MAX_SEED));
        }
        if (!body.problems().isEmpty()) {
            return new Result.Invalid(body.problems());
        }
        ignored.sort(null);
        return new Result.Valid(new ProcessingRequest(prompt, negative, seed.orElse(-1), sampler.or(() -> samplerIndex),
                scheduler, (int) batchSize.orElse(1), (int) iterations.orElse(1), (int) steps.orElse(DEFAULT_STEPS),
                cfg.orElse(DEFAULT_CFG), (int) width.orElse(DEFAULT_SIDE), (int) height.orElse(DEFAULT_SIDE), eta,
                overrides.model(), overrides.clipSkip(), sendImages, taskId, List.copyOf(ignored), modes,
                units.argsAt()));
    }

    /** How many images the request makes: {@code batch_size x n_iter}. */
    int images() {
        return batchSize * iterations;
    }

    /** The request read, or its problems. */
    sealed interface Result {
        record Valid(ProcessingRequest request) implements Result {
        }

        record Invalid(List<A1111Problem> problems) implements Result {
        }
    }

    private record Overrides(Optional<String> model, OptionalInt clipSkip) {
        static final Overrides NONE = new Overrides(Optional.empty(), OptionalInt.empty());
    }

    /** The options diffarm honours per request; the others are reported as ignored under their dotted name. */
    private static Overrides overrides(A1111Body body, ObjectNode settings, List<String> ignored) {
        Optional<String> model = Optional.empty();
        OptionalInt clipSkip = OptionalInt.empty();
        for (Map.Entry<String, JsonNode> entry : (Iterable<Map.Entry<String, JsonNode>>) settings::fields) {
            String field = "override_settings." + entry.getKey();
            JsonNode value = entry.getValue();
            if (entry.getKey().equals(MODEL_OPTION)) {
                if (value.isTextual() && !value.textValue().isBlank()) {
                    model = Optional.of(value.textValue());
                } else if (!value.isNull()) {
                    body.invalid(field, value, "a model's name or title, as /sdapi/v1/sd-models lists them");
                }
            } else if (entry.getKey().equals(CLIP_SKIP_OPTION)) {
                if (value.isIntegralNumber() && value.canConvertToInt() && value.intValue() >= 1
                        && value.intValue() <= Limits.MAX_CLIP_SKIP) {
                    clipSkip = OptionalInt.of(value.intValue());
                } else if (!value.isNull()) {
                    body.invalid(field, value, "an integer in 1.." + Limits.MAX_CLIP_SKIP);
                }
            } else {
                ignored.add(field);
            }
        }
        return new Overrides(model, clipSkip);
    }
}
