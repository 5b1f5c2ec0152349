package dev.diffarm.daemon.job;

import dev.diffarm.farm.config.EventError;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * How long one task may run ({@code DIFFARM_TASK_TIMEOUT}), from its start. A task past it is stopped the way a
 * cancel stops it: at its next check, between UNet calls or training steps. The JVM cannot stop a thread inside a
 * native call safely, so one very long native call (a huge VAE decode) ends before the limit is seen; admission by
 * {@link NodeBudget} keeps such calls from being accepted.
 */
final class RunTimeLimit {
    /** {@code error.code} of a job whose task ran past the limit. */
    static final String TIMED_OUT = "task-timeout";
    static final String SETTING = "DIFFARM_TASK_TIMEOUT";

    private final Duration limit;
    private final LongSupplier nanoClock;
    private final long deadline;

    private RunTimeLimit(Duration limit, LongSupplier nanoClock) {
        this.limit = limit;
        this.nanoClock = nanoClock;
        this.deadline = nanoClock.getAsLong() + limit.toNanos();
    }

    /**
     * A limit of {@code limit} from now.
     *
     * @throws IllegalArgumentException naming the setting, when {@code limit} is not positive
     */
    static RunTimeLimit startingNow(Duration limit, LongSupplier nanoClock) {
        return new RunTimeLimit(checked(limit), nanoClock);
    }

    /** {@code limit}, if it is a usable run-time limit. */
    static Duration checked(Duration limit) {
        if (limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException(SETTING + " = " + limit + ": expected a positive duration, such as PT6H");
        }
        return limit;
    }

    boolean isPast() {
        return nanoClock.getAsLong() - deadline >= 0;
    }

    /** The failure of task {@code taskId} stopped by this limit. */
    TaskFailure failure(String taskId) {
        return new TaskFailure(new EventError(TIMED_OUT, "task " + taskId + " ran longer than its limit of "
                + limit + " (" + SETTING + ") and was stopped"), null);
    }
}
