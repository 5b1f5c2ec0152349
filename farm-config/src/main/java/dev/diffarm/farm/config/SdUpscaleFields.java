package dev.diffarm.farm.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The render fields of an upscale job whose {@code upscaler} is a Stable Diffusion x4 upscaler (a diffusion pipeline,
 * not an image filter), each as the job gave it: empty where the job left it out. They are kept as given so that the
 * farm can refuse them on an image upscaler naming the field, and so that a job written back reads the same.
 * {@link #resolve} fills in diffusers' defaults of {@code StableDiffusionUpscalePipeline}.
 *
 * @param prompt         what the picture shows (default "")
 * @param negativePrompt what to steer away from (default "")
 * @param sampler        a sampler of the farm (default {@value #DEFAULT_SAMPLER}, the upscaler's own scheduler)
 * @param steps          sampling steps, as render jobs allow (default {@value #DEFAULT_STEPS})
 * @param cfg            guidance scale, as render jobs allow (default {@value #DEFAULT_CFG})
 * @param seed           the generator's seed (default {@link Defaults#seedFor} of the job's id)
 * @param noiseLevel     noise added to the picture before it is enlarged, 0..{@value Limits#MAX_NOISE_LEVEL}
 *                       (default {@value #DEFAULT_NOISE_LEVEL}); the model's own {@code max_noise_level} may be lower
 */
public record SdUpscaleFields(Optional<String> prompt, Optional<String> negativePrompt, Optional<String> sampler,
                              OptionalInt steps, OptionalDouble cfg, OptionalLong seed, OptionalInt noiseLevel) {
    /** No render field given: an image upscaler's job, or an SD x4 upscale with every default. */
    public static final SdUpscaleFields NONE = new SdUpscaleFields(Optional.empty(), Optional.empty(), Optional.empty(),
            OptionalInt.empty(), OptionalDouble.empty(), OptionalLong.empty(), OptionalInt.empty());
    /** diffusers' default {@code num_inference_steps} for the upscaler. */
    public static final int DEFAULT_STEPS = 75;
    /** diffusers' default {@code guidance_scale} for the upscaler. */
    public static final double DEFAULT_CFG = 9.0;
    /** The sampler of the upscaler's own scheduler config (DDIM for stabilityai's), as the CLI defaults to. */
    public static final String DEFAULT_SAMPLER = "DDIM";
    /** diffusers' default {@code noise_level}. */
    public static final int DEFAULT_NOISE_LEVEL = 20;

    public SdUpscaleFields {
        Objects.requireNonNull(prompt, "prompt").ifPresent(text -> Rules.requireText(Rules.NEGATIVE_PROMPT, "prompt", text));
        Objects.requireNonNull(negativePrompt, "negativePrompt")
                .ifPresent(text -> Rules.requireText(Rules.NEGATIVE_PROMPT, "negativePrompt", text));
        Objects.requireNonNull(sampler, "sampler").ifPresent(name -> Rules.NAME.require("sampler", name));
        Objects.requireNonNull(steps, "steps").ifPresent(value -> Rules.STEPS.require("steps", (long) value));
        Objects.requireNonNull(cfg, "cfg").ifPresent(value -> Rules.CFG.require("cfg", value));
        Objects.requireNonNull(seed, "seed").ifPresent(value -> Rules.SEED.require("seed", value));
        Objects.requireNonNull(noiseLevel, "noiseLevel")
                .ifPresent(value -> Rules.NOISE_LEVEL.require("noiseLevel", (long) value));
    }

    /**
     * The values an upscale runs with, every default filled in.
     *
     * @param seed the seed; {@link Defaults#seedFor} of the job's id unless the job gave one
     */
    public record Resolved(String prompt, String negativePrompt, String sampler, int steps, double cfg, long seed,
                           int noiseLevel) {
    }

    /** The values to run with for the job {@code jobId}: those given, diffusers' defaults for the others. */
    public Resolved resolve(String jobId) {
        return new Resolved(prompt.orElse(""), negativePrompt.orElse(""), sampler.orElse(DEFAULT_SAMPLER),
                steps.orElse(DEFAULT_STEPS), cfg.orElse(DEFAULT_CFG), seed.orElseGet(() -> Defaults.seedFor(jobId)),
                noiseLevel.orElse(DEFAULT_NOISE_LEVEL));
    }

    /** The names of the fields the job gave, in the order of the record. */
    public List<String> given() {
        List<String> names = new ArrayList<>();
        prompt.ifPresent(value -> names.add("prompt"));
        negativePrompt.ifPresent(value -> names.add("negativePrompt"));
        sampler.ifPresent(value -> names.add("sampler"));
        steps.ifPresent(value -> names.add("steps"));
        cfg.ifPresent(value -> names.add("cfg"));
        seed.ifPresent(value -> names.add("seed"));
        noiseLevel.ifPresent(value -> names.add("noiseLevel"));
        return names;
    }

    /** Writes the given fields into {@code node}, by their JSON names. */
    void write(ObjectNode node) {
        prompt.ifPresent(value -> node.put("prompt", value));
        negativePrompt.ifPresent(value -> node.put("negativePrompt", value));
        sampler.ifPresent(value -> node.put("sampler", value));
        steps.ifPresent(value -> node.put("steps", value));
        cfg.ifPresent(value -> node.put("cfg", value));
        seed.ifPresent(value -> node.put("seed", value));
        noiseLevel.ifPresent(value -> node.put("noiseLevel", value));
    }

    /** The value of the given field {@code name} as messages show it. */
    String shown(String name) {
        return switch (name) {
            case "prompt" -> Json.show(prompt.orElseThrow());
            case "negativePrompt" -> Json.show(negativePrompt.orElseThrow());
            case "sampler" -> Json.show(sampler.orElseThrow());
            case "steps" -> Integer.toString(steps.orElseThrow());
            case "cfg" -> Double.toString(cfg.orElseThrow());
            case "seed" -> Long.toString(seed.orElseThrow());
            case "noiseLevel" -> Integer.toString(noiseLevel.orElseThrow());
            default -> throw new IllegalArgumentException("no render field " + name);
        };
    }
}
