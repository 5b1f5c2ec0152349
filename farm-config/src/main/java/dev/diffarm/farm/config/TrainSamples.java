package dev.diffarm.farm.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The images a train job renders with its current weights while it learns, so that people see what it learns: every
 * {@code sampleEvery} steps and after the last, each prompt once, all with the same seed (so that only the weights
 * change from row to row), at the job's {@code resolution}, with {@value Defaults#SAMPLER} and CFG {@value Defaults#CFG}.
 *
 * @param sampleEvery   render every this many steps; 0: only after the last step
 * @param samplePrompts the prompts; none: no samples (a sweep needs at least one, for its grid)
 * @param sampleSeed    the seed of every sample
 * @param sampleSteps   sampling steps of every sample
 */
public record TrainSamples(int sampleEvery, List<String> samplePrompts, long sampleSeed, int sampleSteps) {
    /** No samples. */
    public static final TrainSamples NONE = new TrainSamples(0, List.of(), Defaults.TRAIN_SEED, Defaults.STEPS);
    /** The most sample prompts of a job. */
    public static final int MAX_PROMPTS = 16;

    public TrainSamples {
        Rules.SAVE_EVERY.require("sampleEvery", (long) sampleEvery);
        samplePrompts = List.copyOf(samplePrompts);
        if (samplePrompts.size() > MAX_PROMPTS) {
            throw new IllegalArgumentException("samplePrompts: expected at most " + MAX_PROMPTS + " prompts, got "
                    + samplePrompts.size());
        }
        for (int i = 0; i < samplePrompts.size(); i++) {
            Rules.requireText(Rules.PROMPT, FieldPath.index("samplePrompts", i), samplePrompts.get(i));
        }
        Rules.SAMPLE_PROMPTS.check(Problems.THROWING, "samplePrompts", samplePrompts);
        Rules.SEED.require("sampleSeed", sampleSeed);
        Rules.STEPS.require("sampleSteps", (long) sampleSteps);
        if (sampleEvery > 0 && samplePrompts.isEmpty()) {
            throw new IllegalArgumentException("samplePrompts: expected at least one prompt when sampleEvery is "
                    + sampleEvery);
        }
    }

    /** Whether the job renders samples at all. */
    public boolean any() {
        return !samplePrompts.isEmpty();
    }

    /** Whether samples are due after {@code step} of a run of {@code total} steps. */
    public boolean dueAfter(long step, long total) {
        return any() && (step == total || (sampleEvery > 0 && step % sampleEvery == 0));
    }

    /** The steps after which a run of {@code total} steps renders samples, in order: none without prompts. */
    public List<Long> steps(long total) {
        if (!any()) {
            return List.of();
        }
        List<Long> steps = new ArrayList<>();
        for (long step = sampleEvery; sampleEvery > 0 && step < total; step += sampleEvery) {
            steps.add(step);
        }
        steps.add(total);
        return steps;
    }

    void write(ObjectNode node) {
        node.put("sampleEvery", sampleEvery);
        samplePrompts.forEach(node.putArray("samplePrompts")::add);
        node.put("sampleSeed", sampleSeed);
        node.put("sampleSteps", sampleSteps);
    }
}
