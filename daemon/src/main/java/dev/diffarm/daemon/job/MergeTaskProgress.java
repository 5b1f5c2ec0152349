package dev.diffarm.daemon.job;

import dev.diffarm.engine.merge.MergeProgress;

/**
 * The engine's view of a merge job's one task: every merged tensor is a step of the {@link TaskRun}, and a cancelled
 * job stops before its next tensor.
 */
final class MergeTaskProgress implements MergeProgress {
    private final TaskRun run;

    MergeTaskProgress(TaskRun run) {
        this.run = run;
    }

    @Override
    public void tensorMerged(int merged, int total) {
        run.step(merged, total);
        run.checkCancelled("after tensor " + merged + " of " + total);
    }
}
