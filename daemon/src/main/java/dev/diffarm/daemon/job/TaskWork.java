package dev.diffarm.daemon.job;

/**
 * One task of a {@link JobWork}: its identity, the outputs that show it is stored, and how it is made.
 */
public interface TaskWork {

    /** What {@link #run} found. */
    enum Outcome {
        /** The outputs were made and stored. */
        MADE,
        /** The outputs were there already, made by an earlier delivery; the task counts as skipped. */
        FOUND_MADE
    }

    /** The task id in events and status, such as {@code t0007}. */
    String id();

    /** The key of the task's main output: its {@code task-completed} event and the job's {@code completed} list name it. */
    String key();

    /** The hash of what decides the outputs, for the {@code task-completed} event. */
    String parameterHash();

    /**
     * Whether an earlier delivery stored this task's outputs, complete and with this {@link #parameterHash()}: then the
     * task is skipped and not {@link #run}. A kind that can only tell while it runs answers false and returns
     * {@link Outcome#FOUND_MADE} from {@link #run}.
     */
    boolean isStored();

    /**
     * Makes the outputs and stores them, reporting steps to {@code run} and stopping when it is cancelled. A task that
     * works for long saves its state with {@link TaskRun#state} and starts from the last saved state when it runs again.
     *
     * @throws TaskFailure                                 when the task cannot be made, with the job's error
     * @throws java.util.concurrent.CancellationException  when the job was cancelled
     * @throws dev.diffarm.daemon.port.StoreException      when the store fails
     */
    Outcome run(TaskRun run);
}
