package dev.diffarm.daemon.job;

import dev.diffarm.daemon.merge.MergeFailure;
import dev.diffarm.daemon.merge.ModelMerger;
import dev.diffarm.farm.config.MergeJob;
import java.util.List;

/**
 * Merge jobs: one task, {@value MergeJob#TASK_ID}, which makes the merged model with the {@link ModelMerger}, or finds
 * it made by an earlier delivery; its key is the job's record. Progress counts merged tensors.
 */
final class MergeJobHandler implements JobHandler<MergeJob> {
    private final ModelMerger merger;

    MergeJobHandler(ModelMerger merger) {
        this.merger = merger;
    }

    @Override
    public JobWork plan(MergeJob job) {
        return () -> List.of(new MergeTask(job));
    }

    /** The merger tells while it runs whether the model is merged: it checks the file's hash against the record. */
    private final class MergeTask extends SoleTask {
        private final MergeJob job;

        MergeTask(MergeJob job) {
            super(MergeJob.TASK_ID, job.recordKey(), job.parameterHash());
            this.job = job;
        }

        @Override
        public Outcome run(TaskRun run) {
            try {
                return merger.merge(job, new MergeTaskProgress(run)) == ModelMerger.Outcome.ALREADY_MERGED
                        ? Outcome.FOUND_MADE : Outcome.MADE;
            } catch (MergeFailure e) {
                throw new TaskFailure(e.error(), e);
            }
        }
    }
}
