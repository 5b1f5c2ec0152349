package dev.diffarm.farm.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * How every image of a job is rendered: the settings a job shares across its prompts and seeds. In JSON these
 * are top-level fields of the job, next to {@code prompts} and {@code seeds}.
 *
 * <p>Build them from {@link #defaults} and change what differs:
 * <pre>{@code RenderSettings settings = RenderSettings.defaults("sd15").withSteps(30).withCfg(6.5);}</pre>
 *
 * @param model          the model's name on the farm (its file or folder name in the models directory)
 * @param negativePrompt what to steer away from; empty for nothing (default)
 * @param sampler        the sampler, as AUTOMATIC1111 names it (default {@value Defaults#SAMPLER})
 * @param schedule       the noise schedule by name (such as {@code Karras}); empty for the sampler's own
 * @param eta            the sampler's share of fresh noise per step, 0..1, for samplers that add noise; empty for
 *                       the sampler's own
 * @param steps          sampling steps, {@value Limits#MIN_STEPS}..{@value Limits#MAX_STEPS}
 *                       (default {@value Defaults#STEPS})
 * @param cfg            classifier-free guidance scale, 0..{@value Limits#MAX_CFG}; 1 turns guidance off
 *                       (default {@value Defaults#CFG})
 * @param clipSkip       1 for the text encoder's last layer, 2 for the one before, up to
 *                       {@value Limits#MAX_CLIP_SKIP} (AUTOMATIC1111's numbering; default {@value Defaults#CLIP_SKIP})
 * @param loras          LoRAs applied to every image, each named once; empty for none (default)
 * @param modes          an init image (img2img, inpainting, outpainting) or a hires pass; {@link ImageModes#NONE}
 *                       for txt2img (default)
 */
public record RenderSettings(String model, String negativePrompt, String sampler, Optional<String> schedule,
                             OptionalDouble eta, int steps, double cfg, int clipSkip, List<Lora> loras,
                             ImageModes modes) {
    public RenderSettings {
        Rules.NAME.require("model", model);
        Rules.requireText(Rules.NEGATIVE_PROMPT, "negativePrompt", negativePrompt);
        Rules.NAME.require("sampler", sampler);
        Objects.requireNonNull(schedule, "schedule").ifPresent(name -> Rules.NAME.require("schedule", name));
        Objects.requireNonNull(eta, "eta").ifPresent(value -> Rules.ETA.require("eta", value));
        Rules.STEPS.require("steps", (long) steps);
        Rules.CFG.require("cfg", cfg);
        Rules.CLIP_SKIP.require("clipSkip", (long) clipSkip);
        loras = List.copyOf(loras);
        Rules.LORAS.check(Problems.THROWING, "loras", loras);
        Objects.requireNonNull(modes, "modes");
    }

    /** Settings for txt2img. */
    public RenderSettings(String model, String negativePrompt, String sampler, Optional<String> schedule,
                          OptionalDouble eta, int steps, double cfg, int clipSkip, List<Lora> loras) {
        this(model, negativePrompt, sampler, schedule, eta, steps, cfg, clipSkip, loras, ImageModes.NONE);
    }

    /** The default settings for {@code model}. */
    public static RenderSettings defaults(String model) {
        return new RenderSettings(model, Defaults.NEGATIVE_PROMPT, Defaults.SAMPLER, Optional.empty(),
                OptionalDouble.empty(), Defaults.STEPS, Defaults.CFG, Defaults.CLIP_SKIP, List.of());
    }

    public RenderSettings withNegativePrompt(String negativePrompt) {
        return new RenderSettings(model, negativePrompt, sampler, schedule, eta, steps, cfg, clipSkip, loras, modes);
    }

    public RenderSettings withSampler(String sampler) {
        return new RenderSettings(model, negativePrompt, sampler, schedule, eta, steps, cfg, clipSkip, loras, modes);
    }

    /** These settings with a named noise schedule; {@link Optional#empty()} for the sampler's own. */
    public RenderSettings withSchedule(Optional<String> schedule) {
        return new RenderSettings(model, negativePrompt, sampler, schedule, eta, steps, cfg, clipSkip, loras, modes);
    }

    /** These settings with the sampler's eta; {@link OptionalDouble#empty()} for the sampler's own. */
    public RenderSettings withEta(OptionalDouble eta) {
        return new RenderSettings(model, negativePrompt, sampler, schedule, eta, steps, cfg, clipSkip, loras, modes);
    }

    public RenderSettings withSteps(int steps) {
        return new RenderSettings(model, negativePrompt, sampler, schedule, eta, steps, cfg, clipSkip, loras, modes);
    }

    public RenderSettings withCfg(double cfg) {
        return new RenderSettings(model, negativePrompt, sampler, schedule, eta, steps, cfg, clipSkip, loras, modes);
    }

    public RenderSettings withClipSkip(int clipSkip) {
        return new RenderSettings(model, negativePrompt, sampler, schedule, eta, steps, cfg, clipSkip, loras, modes);
    }

    public RenderSettings withLoras(List<Lora> loras) {
        return new RenderSettings(model, negativePrompt, sampler, schedule, eta, steps, cfg, clipSkip, loras, modes);
    }

    /** These settings with an init image or a hires pass; {@link ImageModes#NONE} for txt2img. */
    public RenderSettings withModes(ImageModes modes) {
        return new RenderSettings(model, negativePrompt, sampler, schedule, eta, steps, cfg, clipSkip, loras, modes);
    }
}
