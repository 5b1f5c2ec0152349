package dev.diffarm.daemon.job;

import dev.diffarm.daemon.port.Delivery;
import dev.diffarm.daemon.port.JobSource;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.render.TaskBatchKey;
import dev.diffarm.daemon.render.TaskRenderer;
import dev.diffarm.engine.pipeline.GenerationRequest;
import dev.diffarm.farm.config.ImageJob;
import dev.diffarm.farm.config.Job;
import dev.diffarm.farm.config.TaskSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Cross-job batching for one worker: a batch that its own job cannot fill is filled with the first tasks of jobs
 * waiting in the worker's {@link JobSource} that share its {@link TaskBatchKey} (a Kafka stream of one-image jobs of one
 * model and settings is the case it is for).
 *
 * <p>Why it takes waiting jobs rather than running several jobs at once: every guarantee of a job comes from its
 * {@link JobLifecycle} running it alone, start to end, on the worker's thread (claim, events, tasks stored in order,
 * cancel, tenants, settlement). So nothing of that changes here. The jobs taken ({@link JobSource#takeWaiting}) become
 * the worker's next deliveries, which it runs one after the other through the lifecycle as always; only their tasks'
 * PNGs were rendered already, in the batch that took them, and wait here until each task's turn ({@link #rendered}),
 * when the task is stored and reported like any. A job taken this way and then cancelled, rejected or found stored
 * simply leaves its PNG unused; a crash leaves its delivery unsettled, and it is delivered and rendered again, each
 * image stored once. Since the jobs taken run right after the batch, a job of another key that waited before them waits
 * one batch longer at most: it does not starve.
 *
 * <p>Only small jobs (at most {@value GenerationRequest#MAX_BATCH} tasks) are taken, and of each only its first tasks
 * not stored yet that share the key, so that a job's tasks still render in plan order.
 */
public final class BatchCompanions {
    private static final Logger LOG = Logger.getLogger(BatchCompanions.class);
    /**
     * How many PNGs of waiting jobs are kept at most. They are used within a batch's worth of jobs; one left unused (its
     * job was cancelled while it waited) goes once this many newer ones came, so memory stays bounded.
     */
    private static final int KEPT = 2 * GenerationRequest.MAX_BATCH;
    private static final int LARGEST_JOB = GenerationRequest.MAX_BATCH;

    /** Where a worker's waiting jobs are, how they are read, and the store (each tenant's jobs in its part). */
    private record Waiting(JobSource source, JobIntake intake, OutputStore store) {
    }

    /** A task of a waiting job, as its own job will ask for its PNG. */
    private record TaskKey(String jobId, int index, String parameterHash) {
        static TaskKey of(TaskSpec task) {
            return new TaskKey(task.jobId(), task.index(), task.parameterHash());
        }
    }

    private final Optional<Waiting> waiting;
    private final Map<TaskKey, TaskBatches.Rendered> kept = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<TaskKey, TaskBatches.Rendered> eldest) {
            return size() > KEPT;
        }
    };

    private BatchCompanions(Optional<Waiting> waiting) {
        this.waiting = waiting;
    }

    /** No cross-job batching: batches hold tasks of one job only. */
    public static BatchCompanions none() {
        return new BatchCompanions(Optional.empty());
    }

    /**
     * Cross-job batching for the worker that polls {@code source} (one instance per worker: the jobs it takes are that
     * worker's next deliveries).
     *
     * @param intake reads a waiting job as the lifecycle will, without reporting it
     * @param store  where a waiting job's stored tasks are looked for, in its tenant's part ({@link TenantOutputs})
     */
    public static BatchCompanions fromWaiting(JobSource source, JobIntake intake, OutputStore store) {
        return new BatchCompanions(Optional.of(new Waiting(source, intake, store)));
    }

    /**
     * Takes waiting jobs whose first tasks not stored yet share {@code key}, and returns those tasks, at most
     * {@code room}; the jobs become the worker's next deliveries.
     */
    List<TaskSpec> take(TaskBatchKey key, int room, TaskRenderer renderer) {
        if (waiting.isEmpty() || room < 1) {
            return List.of();
        }
        Waiting where = waiting.get();
        Map<String, List<TaskSpec>> fitting = new HashMap<>();
        int[] found = {0};
        List<Delivery> taken = where.source().takeWaiting(candidate -> {
            List<TaskSpec> tasks = found[0] >= room ? List.of()
                    : pendingTasks(where, candidate, key, room - found[0], renderer);
            if (tasks.isEmpty()) {
                return false;
            }
            fitting.put(candidate.origin(), tasks);
            found[0] += tasks.size();
            return true;
        }, room);
        List<TaskSpec> tasks = new ArrayList<>();
        for (Delivery delivery : taken) {
            tasks.addAll(fitting.getOrDefault(delivery.origin(), List.of()));
        }
        if (!taken.isEmpty()) {
            LOG.debugf("batch of %s: %d task(s) of %s waiting", key.model(), tasks.size(),
                    taken.stream().map(Delivery::origin).toList());
        }
        return tasks.subList(0, Math.min(room, tasks.size()));
    }

    /**
     * The first tasks of {@code candidate}'s job not stored yet, while they share {@code key}, at most {@code room};
     * none when it is not a small image job the lifecycle would run.
     */
    private static List<TaskSpec> pendingTasks(Waiting where, Delivery candidate, TaskBatchKey key, int room,
                                               TaskRenderer renderer) {
        if (candidate.isJobPart()) {
            return List.of();
        }
        Optional<Job> job = where.intake().peek(candidate);
        if (job.isEmpty() || !(job.get() instanceof ImageJob image) || image.taskCount() > LARGEST_JOB) {
            return List.of();
        }
        OutputStore store = TenantOutputs.of(where.store(), where.intake().tenantOf(candidate));
        List<TaskSpec> tasks = new ArrayList<>();
        for (TaskSpec task : image.plan().tasks()) {
            if (tasks.size() >= room) {
                break;
            }
            if (ImageJobHandler.isStored(task, store)) {
                continue;
            }
            if (!renderer.batchKey(task).filter(key::equals).isPresent()) {
                break;
            }
            tasks.add(task);
        }
        return tasks;
    }

    /** Keeps a waiting job's task's PNG until its job asks for it. */
    void keep(TaskSpec task, TaskBatches.Rendered rendered) {
        kept.put(TaskKey.of(task), rendered);
    }

    /** Whether a batch rendered {@code task}'s PNG for it already. */
    boolean holds(TaskSpec task) {
        return kept.containsKey(TaskKey.of(task));
    }

    /** {@code task}'s PNG, rendered in an earlier job's batch, now handed over; empty if none was. */
    Optional<TaskBatches.Rendered> rendered(TaskSpec task) {
        return Optional.ofNullable(kept.remove(TaskKey.of(task)));
    }
}
