package dev.diffarm.daemon.job;

import dev.diffarm.api.Progress;
import dev.diffarm.daemon.render.TaskBatchKey;
import dev.diffarm.daemon.render.TaskRenderer;
import dev.diffarm.farm.config.TaskSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * One job's image tasks rendered in batches of up to {@code batchSize}. The lifecycle still takes the tasks one by one,
 * in plan order; when it asks for a task's PNG ({@link #png}), the task is rendered together with the next tasks of
 * the plan that share its {@link TaskBatchKey} and are not stored yet, and their PNGs wait here for their own turn,
 * when they are stored and reported like any task. So a task is done only once it is stored: a job stopped with
 * part of a batch stored renders, when delivered again, only the tasks still missing.
 *
 * <p>A batch its job cannot fill takes the first tasks of jobs waiting in the worker's source that share its key
 * ({@link BatchCompanions}); their PNGs wait there for their own jobs, which the worker runs next. A task whose PNG an
 * earlier job's batch rendered for it gets that PNG.
 *
 * <p>A batch that runs out of memory ({@link OutOfMemory}) is split in half and each half retried, and the job's later
 * batches are no larger than the half that worked. A batch that fails otherwise is retried as its first task alone, so
 * that a failure is the task's that caused it: the others render at their own turn.
 */
final class TaskBatches {
    private static final Logger LOG = Logger.getLogger(TaskBatches.class);
    /**
     * How far past a batch's first task, in batches, its other tasks are looked for: a campaign's innermost loops
     * (seeds, sizes) put tasks of one key close together, and a task's key costs a plan (and a look at the store for
     * its LoRAs and embeddings), which a 10,000-task job must not pay for every task at once.
     */
    private static final int LOOKAHEAD_BATCHES = 16;

    private final TaskRenderer renderer;
    private final List<TaskSpec> plan;
    private final Predicate<TaskSpec> isStored;
    private final LongSupplier nanoClock;
    private final BatchCompanions companions;
    private int batchSize;
    private final Map<Integer, Optional<TaskBatchKey>> keys = new HashMap<>();
    private final Map<Integer, Rendered> renderedAhead = new HashMap<>();

    /**
     * A task's PNG and the engine time it took: its share of its batch's time.
     *
     * @param png         the image
     * @param engineNanos the batch's render time over the number of tasks it rendered
     * @param spentNanos  how much of that was spent in this call (all of the batch's time for the task that led it, none
     *                    for a task rendered ahead)
     * @param ahead       whether it was rendered in an earlier task's batch
     * @param batch       the batch this call rendered: none for a task rendered ahead
     */
    record Rendered(byte[] png, long engineNanos, long spentNanos, boolean ahead, Optional<Batch> batch) {
    }

    /**
     * What one engine call rendered, for the batch metrics.
     *
     * @param tasks how many tasks
     * @param jobs  of how many jobs
     */
    record Batch(int tasks, int jobs) {
    }

    /**
     * @param plan      the job's tasks, in plan order
     * @param isStored  whether a task's outputs are stored already (those are left out of batches)
     * @param batchSize  the most tasks per batch; 1 renders each task alone
     * @param companions where a batch its job cannot fill finds tasks of waiting jobs, and this job's tasks their PNGs
     *                   rendered in another job's batch
     */
    TaskBatches(TaskRenderer renderer, List<TaskSpec> plan, Predicate<TaskSpec> isStored, int batchSize,
                BatchCompanions companions, LongSupplier nanoClock) {
        this.renderer = renderer;
        this.companions = companions;
        this.plan = List.copyOf(plan);
        this.isStored = isStored;
        this.batchSize = batchSize;
        this.nanoClock = nanoClock;
    }

    /**
     * The PNG of {@code task}: rendered ahead with an earlier task, or now, leading a batch of the pending tasks after
     * it that share its key.
     *
     * @param progress the task's progress, told of every step of the batch it leads
     */
    Rendered png(TaskSpec task, Progress progress) {
        Rendered ahead = renderedAhead.remove(task.index());
        if (ahead != null) {
            return ahead;
        }
        Optional<Rendered> forIt = companions.rendered(task);
        if (forIt.isPresent()) {
            return forIt.get();
        }
        List<TaskSpec> batch = batchLedBy(task);
        long start = nanoClock.getAsLong();
        List<byte[]> pngs = render(batch, progress);
        long spent = nanoClock.getAsLong() - start;
        long share = spent / pngs.size();
        for (int i = 1; i < pngs.size(); i++) {
            TaskSpec other = batch.get(i);
            Rendered rendered = new Rendered(pngs.get(i), share, 0, true, Optional.empty());
            if (other.jobId().equals(task.jobId())) {
                renderedAhead.put(other.index(), rendered);
            } else {
                companions.keep(other, rendered);
            }
        }
        int jobs = (int) batch.subList(0, pngs.size()).stream().map(TaskSpec::jobId).distinct().count();
        return new Rendered(pngs.get(0), share, spent, false, Optional.of(new Batch(pngs.size(), jobs)));
    }

    /**
     * {@code lead} and the pending tasks after it with its key, found among the next {@value #LOOKAHEAD_BATCHES} batch
     * sizes of tasks, then tasks of waiting jobs with its key: at most {@code batchSize} in all.
     */
    private List<TaskSpec> batchLedBy(TaskSpec lead) {
        List<TaskSpec> batch = new ArrayList<>(List.of(lead));
        if (batchSize == 1) {
            return batch;
        }
        Optional<TaskBatchKey> key = key(lead);
        if (key.isEmpty()) {
            return batch;
        }
        int end = (int) Math.min(plan.size(), lead.index() + 1 + (long) LOOKAHEAD_BATCHES * batchSize);
        for (int i = lead.index() + 1; i < end && batch.size() < batchSize; i++) {
            TaskSpec next = plan.get(i);
            if (!renderedAhead.containsKey(next.index()) && !companions.holds(next) && key.equals(key(next))
                    && !isStored.test(next)) {
                batch.add(next);
            }
        }
        batch.addAll(companions.take(key.get(), batchSize - batch.size(), renderer));
        return batch;
    }

    private Optional<TaskBatchKey> key(TaskSpec task) {
        return keys.computeIfAbsent(task.index(), index -> renderer.batchKey(task));
    }

    /**
     * The PNGs of the batch's first tasks, in order (of all of them, or of a part that begins with the first): split
     * in half on running out of memory; its first task alone on another failure.
     */
    private List<byte[]> render(List<TaskSpec> batch, Progress progress) {
        if (batch.size() == 1) {
            return List.of(renderer.render(batch.get(0), progress));
        }
        try {
            return renderer.renderBatch(batch, progress);
        } catch (CancellationException e) {
            throw e;
        } catch (RuntimeException e) {
            if (!OutOfMemory.caused(e)) {
                LOG.warnf("the batch %s failed (%s); rendering %s alone", ids(batch), e.getMessage(), batch.get(0).id());
                return List.of(renderer.render(batch.get(0), progress));
            }
            int half = batch.size() / 2;
            batchSize = Math.min(batchSize, batch.size() - half);
            LOG.warnf("the batch %s ran out of memory; splitting it in half, and batches of this job now hold at most %d",
                    ids(batch), batchSize);
            List<byte[]> pngs = new ArrayList<>(render(batch.subList(0, half), progress));
            if (pngs.size() == half) {
                pngs.addAll(render(batch.subList(half, batch.size()), progress));
            }
            return pngs;
        }
    }

    private static List<String> ids(List<TaskSpec> batch) {
        return batch.stream().map(TaskSpec::id).toList();
    }
}
