package dev.diffarm.engine.merge;

/**
 * Told of each tensor a {@link CheckpointMerge} has merged, before it merges the next: the place to report progress
 * and to stop a merge. An exception thrown here ends the merge; the output file is then not written at all.
 */
@FunctionalInterface
public interface MergeProgress {
    /** Progress that nobody follows. */
    MergeProgress NONE = (merged, total) -> {
    };

    /**
     * @param merged tensors merged so far, 1..{@code total}
     * @param total  the tensors the merge combines
     */
    void tensorMerged(int merged, int total);
}
