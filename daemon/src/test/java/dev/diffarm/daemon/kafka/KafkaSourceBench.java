package dev.diffarm.daemon.kafka;

import dev.diffarm.daemon.port.Delivery;
import dev.diffarm.farm.config.FarmSettings;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * How fast the Kafka job source hands out jobs, on the broker of {@code scripts/services} (started for the run):
 * <ul>
 *   <li>latency: from a producer's send to the delivery in the worker's hands, with the source idle (its
 *       consumer waiting in a poll), one job at a time;</li>
 *   <li>intake rate: tiny jobs already waiting, each acknowledged as soon as it is delivered (poll, commit,
 *       next), so the rate is the source's own ceiling, not a render farm's.</li>
 * </ul>
 * Run with {@code scripts/bench-farm-kafka [LATENCY_JOBS [RATE_JOBS]]}. Timings from a machine busy with other
 * work mean little.
 */
public final class KafkaSourceBench {
    private KafkaSourceBench() {
    }

    public static void main(String[] args) throws Exception {
        int latencyJobs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int rateJobs = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        System.out.printf("broker %s; %d cores, load average %.1f%n", TestKafka.bootstrapServers(),
                Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        latency(latencyJobs);
        intakeRate(rateJobs);
        System.exit(0);
    }

    private static void latency(int jobs) throws Exception {
        FarmSettings.Topics topics = TestKafka.topics("bench-latency", 3);
        try (KafkaJobSource source = TestKafka.source(topics, TestKafka.group("bench-latency"));
             KafkaProducer<byte[], byte[]> producer = producer()) {
            int warmUp = 5;
            double[] millis = new double[jobs];
            for (int i = -warmUp; i < jobs; i++) {
                // Idle: the source's consumer is waiting in a poll when the job is sent.
                Thread.sleep(300);
                byte[] key = TestKafka.utf8("job-" + i);
                long sent = System.nanoTime();
                producer.send(new ProducerRecord<>(topics.jobs(), key, TestKafka.utf8("{\"n\": " + i + "}")));
                Delivery delivery = TestKafka.next(source);
                long taken = System.nanoTime();
                delivery.acknowledge();
                if (i >= 0) {
                    millis[i] = (taken - sent) / 1e6;
                }
            }
            Arrays.sort(millis);
            System.out.printf("produce -> delivery, idle source, %d jobs: p50 %.1f ms, p90 %.1f ms, max %.1f ms%n", jobs,
                    percentile(millis, 0.5), percentile(millis, 0.9), millis[millis.length - 1]);
        }
    }

    private static void intakeRate(int jobs) throws Exception {
        FarmSettings.Topics topics = TestKafka.topics("bench-rate", 3);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (int i = 0; i < jobs; i++) {
                producer.send(new ProducerRecord<>(topics.jobs(), TestKafka.utf8("job-" + i), TestKafka.utf8("{\"n\": " + i + "}")));
            }
            producer.flush();
        }
        try (KafkaJobSource source = TestKafka.source(topics, TestKafka.group("bench-rate"))) {
            TestKafka.next(source).acknowledge();
            long start = System.nanoTime();
            for (int i = 1; i < jobs; i++) {
                Optional<Delivery> delivery = source.poll(Duration.ofSeconds(30));
                delivery.orElseThrow(() -> new IllegalStateException("no delivery in 30 s")).acknowledge();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("intake, tiny jobs acknowledged at once: %d jobs in %.2f s, %.0f jobs/s%n", jobs - 1,
                    seconds, (jobs - 1) / seconds);
        }
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return new KafkaProducer<>(config);
    }

    private static double percentile(double[] sorted, double fraction) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(fraction * sorted.length) - 1)];
    }
}
