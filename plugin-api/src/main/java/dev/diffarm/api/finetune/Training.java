package dev.diffarm.api.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalDouble;

/** One run of a {@link FineTuneMethod}: the arrays it trains and the method's part of every step. */
public interface Training extends AutoCloseable {

    /**
     * The trained arrays by a stable name, in the optimizer's order. The host keeps AdamW's moments for each, saves
     * them with a training state and sets their values again on resume (then calls {@link #afterStep()}).
     */
    Map<String, NDArray> parameters();

    /**
     * The base learning rate of the trained array {@code parameter}, which the run's schedule scales in place of the
     * run's learning rate (kohya's {@code --text_encoder_lr} and {@code --unet_lr} groups); empty, the default, for
     * the run's.
     */
    default OptionalDouble learningRate(String parameter) {
        return OptionalDouble.empty();
    }

    /** Called before the first micro-batch of every optimizer step (e.g. to attach adapters to the model). */
    default void beforeStep() {
    }

    /**
     * The loss of one micro-batch, to be minimised. Called inside a gradient recording; the host back-propagates it.
     * Arrays made here belong to the step's scope.
     */
    NDArray loss(MicroBatch batch, Objective objective);

    /**
     * Called after every change of the trained arrays' values (each optimizer step, a resume), with gradient recording
     * off: e.g. put back the token rows that are not trained, or tell the model its weights changed.
     */
    default void afterStep() {
    }

    /**
     * Writes the result in the method's format to {@code out}.
     *
     * @param metadata what the host records about the run (hyperparameters, data), for the file's header
     */
    void save(Path out, Map<String, String> metadata) throws IOException;

    /** The arrays {@link #save} writes now, by their name in the file. */
    Map<String, NDArray> saved();

    /** Reads a file written by {@link #save} back: the arrays of {@link #saved()} by name, in {@code manager}. */
    Map<String, NDArray> load(Path file, NDManager manager) throws IOException;

    /** Gives the model back as it was (adapters off, gradients off). */
    @Override
    void close();
}
