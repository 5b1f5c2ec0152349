package dev.diffarm.engine.merge;

/** Checkpoints that cannot be merged: different architectures, a weight out of range, an output that is an input. */
public class MergeException extends RuntimeException {
    public MergeException(String message) {
        super(message);
    }
}
