package dev.diffarm.daemon.a1111;

import dev.diffarm.daemon.job.JobState;
import dev.diffarm.daemon.job.TrackedJob;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * The A1111 requests being rendered, oldest first: what {@code /progress} reports and {@code /interrupt} and
 * {@code /skip} stop. A1111 serves one user one job at a time; here each tenant sees and stops only its own.
 */
@Singleton
public class A1111Runs {
    private final List<Run> runs = new CopyOnWriteArrayList<>();
    private final LongSupplier nanoClock = System::nanoTime;

    /** One request's job while its HTTP call waits for it. */
    static final class Run {
        private final String tenant;
        private final TrackedJob job;
        private final Instant submitted;
        private volatile long startedNanos = -1;
        private volatile boolean interrupted;
        private volatile boolean skipped;

        private Run(String tenant, TrackedJob job, Instant submitted) {
            this.tenant = tenant;
            this.job = job;
            this.submitted = submitted;
        }

        TrackedJob job() {
            return job;
        }

        Instant submitted() {
            return submitted;
        }

        boolean interrupted() {
            return interrupted;
        }

        boolean skipped() {
            return skipped;
        }

        /** When a worker took the job up; empty while it waits in the queue. */
        Optional<Long> startedNanos() {
            return startedNanos < 0 ? Optional.empty() : Optional.of(startedNanos);
        }
    }

    Run start(String tenant, TrackedJob job) {
        Run run = new Run(tenant, job, Instant.now());
        runs.add(run);
        return run;
    }

    /** Notes that the run's job is rendering, the first time it is seen so: its ETA counts from here. */
    void observe(Run run) {
        if (run.startedNanos < 0 && run.job.state() != JobState.QUEUED) {
            run.startedNanos = nanoClock.getAsLong();
        }
    }

    void end(Run run) {
        runs.remove(run);
    }

    long now() {
        return nanoClock.getAsLong();
    }

    /** The tenant's oldest run: A1111's "current job". */
    Optional<Run> current(String tenant) {
        return runs.stream().filter(run -> run.tenant.equals(tenant)).findFirst();
    }

    /**
     * Marks the tenant's runs interrupted ({@code skip}: skipped) and returns their jobs for cancelling. A1111 stops its
     * one job; here every request the tenant has waiting stops, as a client that sends it means "stop what I asked".
     */
    List<TrackedJob> stop(String tenant, boolean skip) {
        List<TrackedJob> jobs = new ArrayList<>();
        for (Run run : runs) {
            if (run.tenant.equals(tenant)) {
                if (skip) {
                    run.skipped = true;
                } else {
                    run.interrupted = true;
                }
                jobs.add(run.job);
            }
        }
        return jobs;
    }
}
