package dev.diffarm.daemon.job;

import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.farm.config.EventError;
import dev.diffarm.farm.config.TrainJob;
import java.io.IOException;
import java.util.Optional;

/**
 * Turns one run of a train job into the engine's training run of the job's method; one implementation per method.
 * Everything the methods share (the dataset, the saved states, the samples, the loss curve, storing the result) is the
 * {@link TrainTask}'s.
 */
interface TrainingRunner {

    /**
     * Trains {@code work} on {@code model}, telling {@code listener} of every step and saved state, and writes the
     * result to {@link TrainingWork#out()}.
     *
     * @throws TaskFailure              naming the field of a setting the method cannot train with
     * @throws IllegalArgumentException when the engine refuses a setting or the data (its message names the field)
     */
    void train(StableDiffusion model, TrainingWork work, TrainingListener listener) throws IOException;

    /** The runner of {@code method}; a method the farm cannot train yet fails the task naming {@code method}. */
    static TrainingRunner forMethod(String method) {
        if (method.equals(TrainJob.LORA)) {
            return new LoraTrainingRunner();
        }
        // The engine has DreamBooth's and Textual Inversion's steps, not yet their whole runs (data, state, output).
        throw new TaskFailure(new EventError("invalid-value", "method = \"" + method + "\": expected \"" + TrainJob.LORA
                + "\": " + method + " is not yet trainable on the farm (the engine has its steps, not yet a whole "
                + "run to resume)", Optional.of("method")), null);
    }
}
