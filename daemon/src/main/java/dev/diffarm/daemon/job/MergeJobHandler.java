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

    private final class MergeTask implements TaskWork {
        private final MergeJob job;

        MergeTask(MergeJob job) {
            this.job = job;
        }

        @Override
        public String id() {
            return MergeJob.TASK_ID;
        }

        @Override
        public String key() {
            return job.recordKey();
        }

        @Override
        public String parameterHash() {
            return job.parameterHash();
        }

        /** The merger tells while it runs: it checks the model file's hash against the record. */
        @Override
        public boolean isStored() {
            return false;
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
