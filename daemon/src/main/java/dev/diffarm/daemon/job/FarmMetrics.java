package dev.diffarm.daemon.job;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * The farm's meters (Prometheus names at {@code /q/metrics}):
 * <ul>
 *   <li>{@code diffarm_jobs{state}}: jobs this daemon knows in each state (finished ones for a while);</li>
 *   <li>{@code diffarm_jobs_finished_total{state}}: jobs that ended completed, failed, cancelled or rejected;</li>
 *   <li>{@code diffarm_tasks_total{outcome}}: tasks {@code rendered}, or {@code skipped} as already stored;</li>
 *   <li>{@code diffarm_step_seconds}: time of one sampling step;</li>
 *   <li>{@code diffarm_task_seconds}: time of one rendered task, from model lease to stored sidecar;</li>
 *   <li>{@code diffarm_render_seconds}: the engine's part of it, up to the encoded PNG (the rest is storing);</li>
 *   <li>{@code diffarm_batch_tasks}: tasks per engine call (1 for a task rendered alone; count and sum give the
 *       calls and the tasks), and {@code diffarm_batch_jobs}: of how many jobs (above 1: cross-job batching);</li>
 *   <li>{@code diffarm_queue_depth}: submissions waiting in the source (NaN when it cannot tell).</li>
 * </ul>
 */
public final class FarmMetrics {
    private final Map<JobState, Counter> finished = new EnumMap<>(JobState.class);
    private final Counter rendered;
    private final Counter skipped;
    private final Timer stepTime;
    private final Timer taskTime;
    private final Timer renderTime;
    private final DistributionSummary batchTasks;
    private final DistributionSummary batchJobs;

    public FarmMetrics(MeterRegistry registry, JobRegistry jobs, Supplier<OptionalLong> queueDepth) {
        for (JobState state : JobState.values()) {
            Gauge.builder("diffarm.jobs", jobs, known -> known.countByState().get(state))
                    .tag("state", state.label()).description("Jobs this daemon knows, by state").register(registry);
            if (state.isFinal()) {
                finished.put(state, Counter.builder("diffarm.jobs.finished").tag("state", state.label())
                        .description("Jobs that ended, by final state").register(registry));
            }
        }
        rendered = Counter.builder("diffarm.tasks").tag("outcome", "rendered").description("Tasks").register(registry);
        skipped = Counter.builder("diffarm.tasks").tag("outcome", "skipped").description("Tasks").register(registry);
        stepTime = Timer.builder("diffarm.step").description("Time of one sampling step").register(registry);
        taskTime = Timer.builder("diffarm.task").description("Time of one rendered task").register(registry);
        renderTime = Timer.builder("diffarm.render").description("The engine's time of one rendered task, PNG included")
                .register(registry);
        batchTasks = DistributionSummary.builder("diffarm.batch.tasks").description("Tasks per engine call")
                .register(registry);
        batchJobs = DistributionSummary.builder("diffarm.batch.jobs").description("Jobs per engine call")
                .register(registry);
        Gauge.builder("diffarm.queue.depth", queueDepth, depth -> depth.get().stream().mapToDouble(n -> n)
                        .findFirst().orElse(Double.NaN))
                // A gauge holds its object weakly, and nothing else holds this supplier.
                .strongReference(true)
                .description("Submissions waiting in the job source").register(registry);
    }

    void jobFinished(JobState state) {
        finished.get(state).increment();
    }

    /**
     * @param time       the whole task, storing included
     * @param engineTime the engine's part: model lease, sampling, decoding and PNG encoding
     */
    void taskRendered(Duration time, Duration engineTime) {
        rendered.increment();
        taskTime.record(time);
        renderTime.record(engineTime);
    }

    /** One engine call rendered {@code tasks} tasks of {@code jobs} jobs. */
    void batchRendered(int tasks, int jobs) {
        batchTasks.record(tasks);
        batchJobs.record(jobs);
    }

    void taskSkipped() {
        skipped.increment();
    }

    void step(Duration time) {
        stepTime.record(time);
    }
}
