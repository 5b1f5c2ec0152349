package dev.diffarm.daemon.job;

import dev.diffarm.farm.config.TaskSpec;

/** A task of a job's {@link dev.diffarm.farm.config.Plan}: its id, key and parameter hash are its {@link TaskSpec}'s. */
abstract class PlannedTask implements TaskWork {
    protected final TaskSpec task;

    PlannedTask(TaskSpec task) {
        this.task = task;
    }

    @Override
    public String id() {
        return task.id();
    }

    @Override
    public String key() {
        return task.key();
    }

    @Override
    public String parameterHash() {
        return task.parameterHash();
    }
}
