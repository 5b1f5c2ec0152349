package dev.diffarm.daemon.kafka;

import dev.diffarm.daemon.event.EventBroadcaster;
import dev.diffarm.daemon.status.FarmJobs;
import dev.diffarm.farm.config.FarmSettings;
import dev.diffarm.farm.config.JobEvent;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the farm-wide job view costs, on the broker of {@code scripts/services} (started for the run):
 * <ul>
 *   <li>replay: a node starting with {@code JOBS} jobs of {@code EVENTS_PER_JOB} events each on the events topic
 *       (an accepted, progress and task-completed events, a completed): the time until its view has caught up, and the
 *       heap the view holds then (the latest {@code DIFFARM_RETAINED_JOBS} jobs and their events);</li>
 *   <li>lag: events produced one at a time to a view that follows the topic: the time from each send to the
 *       event's status in the view.</li>
 * </ul>
 * Run with {@code scripts/bench-farm-status [JOBS (1000) [EVENTS_PER_JOB (100) [LAG_EVENTS (200)]]]}. Timings from
 * a machine busy with other work mean little.
 */
public final class FarmStatusBench {
    private static final String HASH = "b6d880e063ac77c2b3dedc459c2babee72d4db8a25081e355c8606d397146673";

    private FarmStatusBench() {
    }

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int eventsPerJob = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int lagEvents = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        System.out.printf("broker %s; %d cores, load average %.1f%n", TestKafka.bootstrapServers(),
                Runtime.getRuntime().availableProcessors(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        fold(jobs, eventsPerJob);
        replay(jobs, eventsPerJob);
        lag(lagEvents);
        System.exit(0);
    }

    /** The view's own share of a replay: each event's JSON parsed and applied, in this process, no Kafka. */
    private static void fold(int jobs, int eventsPerJob) {
        List<String> texts = new ArrayList<>();
        for (int job = 0; job < jobs; job++) {
            jobEvents("job-" + job, eventsPerJob).forEach(event -> texts.add(event.toJson()));
        }
        for (int round = 0; round < 3; round++) {
            FarmJobs view = new FarmJobs(1000, new EventBroadcaster(1000, 2000));
            long start = System.nanoTime();
            texts.forEach(text -> view.apply(JobEvent.parse(text)));
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("fold (round %d): %d events parsed and applied in %.2f s = %.0f events/s%n", round + 1,
                    texts.size(), seconds, texts.size() / seconds);
        }
    }

    private static void replay(int jobs, int eventsPerJob) throws Exception {
        FarmSettings.Topics topics = TestKafka.topics("bench-status", 1);
        long bytes = 0;
        try (KafkaProducer<String, String> producer = producer()) {
            for (int job = 0; job < jobs; job++) {
                for (JobEvent event : jobEvents("job-" + job, eventsPerJob)) {
                    String json = event.toJson();
                    bytes += json.length();
                    producer.send(new ProducerRecord<>(topics.events(), event.recordKey().orElseThrow(), json));
                }
            }
            producer.flush();
        }
        long events = (long) jobs * eventsPerJob;
        System.gc();
        long heapBefore = usedHeap();
        FarmJobs view = new FarmJobs(1000, new EventBroadcaster(1000, 2000));
        long start = System.nanoTime();
        try (KafkaJobView reader = new KafkaJobView(KafkaJobView.consumerConfig(TestKafka.bootstrapServers(),
                "bench-view-" + UUID.randomUUID()), topics.events(), view)) {
            reader.start();
            while (!reader.isCaughtUp()) {
                Thread.sleep(10);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.gc();
            long heap = usedHeap() - heapBefore;
            System.out.printf("replay: %d events (%d jobs x %d, %.1f MiB of JSON) caught up in %.2f s = %.0f events/s; "
                            + "view holds %d jobs, heap +%.1f MiB (%.0f bytes per event kept)%n",
                    events, jobs, eventsPerJob, bytes / 1048576.0, seconds, events / seconds, view.size(),
                    heap / 1048576.0, (double) heap / Math.min(events, 1000L * Math.min(eventsPerJob, 2000)));
        }
    }

    private static void lag(int count) throws Exception {
        FarmSettings.Topics topics = TestKafka.topics("bench-lag", 1);
        FarmJobs view = new FarmJobs(1000, new EventBroadcaster(1000, 2000));
        long[] lags = new long[count];
        try (KafkaJobView reader = new KafkaJobView(KafkaJobView.consumerConfig(TestKafka.bootstrapServers(),
                "bench-lag-" + UUID.randomUUID()), topics.events(), view);
             KafkaProducer<String, String> producer = producer()) {
            reader.start();
            producer.send(new ProducerRecord<>(topics.events(), "lag",
                    new JobEvent.Accepted("lag", "render", count, Optional.of("acme")).toJson())).get();
            for (int i = 0; i < count; i++) {
                String task = "t%04d".formatted(i);
                long sent = System.nanoTime();
                producer.send(new ProducerRecord<>(topics.events(), "lag",
                        new JobEvent.TaskCompleted("lag", task, "jobs/lag/" + task + ".png", HASH, false).toJson()));
                long deadline = sent + 30_000_000_000L;
                while (view.find("lag").map(status -> status.tasksCompleted()).orElse(0) < i + 1) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("event " + i + " did not reach the view in 30 s");
                    }
                    Thread.onSpinWait();
                }
                lags[i] = System.nanoTime() - sent;
                Thread.sleep(20);
            }
        }
        Arrays.sort(lags);
        System.out.printf("lag: %d events, send -> in the view: median %.1f ms, p95 %.1f ms, max %.1f ms%n", count,
                lags[count / 2] / 1e6, lags[(int) (count * 0.95)] / 1e6, lags[count - 1] / 1e6);
    }

    /** A job of {@code count} events: accepted, then per task progress events and its task-completed, completed. */
    private static List<JobEvent> jobEvents(String id, int count) {
        int tasks = Math.max(1, (count - 2) / 5);
        List<JobEvent> events = new ArrayList<>();
        events.add(new JobEvent.Accepted(id, "campaign", tasks, Optional.of("acme")));
        for (int task = 0; events.size() < count - 1; task = (task + 1) % tasks) {
            String taskId = "t%04d".formatted(task);
            for (int step = 1; step <= 4 && events.size() < count - 2; step++) {
                events.add(new JobEvent.Progress(id, taskId, step, 4, task, tasks));
            }
            events.add(new JobEvent.TaskCompleted(id, taskId, "tenants/acme/jobs/" + id + "/" + taskId + ".png", HASH, false));
        }
        events.add(new JobEvent.Completed(id, List.of("tenants/acme/jobs/" + id + "/t0000.png")));
        return events;
    }

    private static KafkaProducer<String, String> producer() {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(config);
    }

    private static long usedHeap() {
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
