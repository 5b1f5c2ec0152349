package dev.diffarm.farm.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A job of kind {@value #KIND}: every prompt with every seed, at one size.
 * <pre>{@code
 * {"apiVersion": "diffarm/v1", "kind": "render", "id": "cats-1", "model": "sd15",
 *  "prompts": ["a cat in a hat", "a dog in a hat"], "negativePrompt": "blurry",
 *  "sampler": "Euler a", "steps": 20, "cfg": 7.0, "seeds": [1, 2], "width": 512, "height": 512}
 * }</pre>
 * Only {@code apiVersion}, {@code kind}, {@code id}, {@code model} and {@code prompts} are required; the
 * others take the {@link Defaults}. An init image, a mask, outpainting or a hires pass are fields of the settings
 * ({@link ImageModes}: {@code initImage}, {@code mask}, {@code enableHr}, ...). Its tasks are prompt-major:
 * prompt 0 with every seed, then prompt 1 with every seed, and so on (see {@link #plan()}).
 *
 * @param id       the idempotency key (see {@link Job#id()})
 * @param prompts  what to render, at least one, each listed once
 * @param seeds    the seeds of the initial noise, at least one, each listed once, each in
 *                 0..{@value Limits#MAX_SEED}; in JSON they default to one seed derived from the id
 *                 ({@link Defaults#seedFor})
 * @param size     the image size; in JSON the top-level {@code width} and {@code height}
 * @param settings the settings every image shares
 */
public record RenderJob(String id, List<String> prompts, List<Long> seeds, Size size, RenderSettings settings)
        implements ImageJob {
    /** The {@code kind} of a render job. */
    public static final String KIND = "render";

    public RenderJob {
        Rules.ID.require("id", id);
        prompts = List.copyOf(prompts);
        seeds = List.copyOf(seeds);
        Rules.requirePromptsAndSeeds(prompts, seeds);
        checkTaskCount(Problems.THROWING, prompts.size(), seeds.size());
        Objects.requireNonNull(size, "size");
        Objects.requireNonNull(settings, "settings");
        settings.modes().checkSize(Problems.THROWING, "", size);
    }

    /** A job with one seed derived from its id, at the default size. */
    public RenderJob(String id, List<String> prompts, RenderSettings settings) {
        this(id, prompts, List.of(Defaults.seedFor(id)), Defaults.SIZE, settings);
    }

    static void checkTaskCount(Problems problems, int prompts, int seeds) {
        Rules.checkTaskCount(problems, "prompts x seeds = " + prompts + " x " + seeds, (long) prompts * seeds);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.render(this);
    }

    @Override
    public int taskCount() {
        return prompts.size() * seeds.size();
    }

    /**
     * The tasks, prompt-major: task {@code p * seeds + s} renders prompt {@code p} with seed {@code s}.
     * Prompts {@code ["cat", "dog"]} with seeds {@code [1, 2]} give {@code t0000} cat/1, {@code t0001} cat/2,
     * {@code t0002} dog/1, {@code t0003} dog/2.
     */
    @Override
    public Plan plan() {
        List<TaskSpec> tasks = new ArrayList<>(taskCount());
        for (String prompt : prompts) {
            for (long seed : seeds) {
                tasks.add(new TaskSpec(id, tasks.size(), new TaskParameters(prompt, seed, size, settings),
                        Optional.empty()));
            }
        }
        return new Plan(id, tasks);
    }
}
