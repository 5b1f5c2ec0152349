package dev.diffarm.daemon.kafka;

import dev.diffarm.daemon.status.EventFeed;
import dev.diffarm.daemon.status.FarmJobs;
import dev.diffarm.farm.config.JobEvent;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ObjLongConsumer;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Every node's job events, read from the events topic ({@code diffarm.events}) into this node's {@link FarmJobs}, so
 * that {@code GET /jobs/{id}} and its event stream answer alike on every node of the farm.
 * <ul>
 *   <li>The consumer is in no group: it is assigned every partition of the topic, each read from its beginning (as
 *       far back as the topic keeps: its retention bounds the replay at start), then followed. A node reads all the
 *       events, not a share of them, and commits nothing.</li>
 *   <li>One thread of its own owns the consumer (a Kafka consumer must be used from one thread) and applies each
 *       event, so a job's events are applied in their partition's order: the order every node sees.</li>
 *   <li>Partitions added to the topic later are found within {@link #PARTITION_CHECK} and read from their beginning.</li>
 *   <li>A record that is no event of this version is logged and skipped: one bad producer must not stop the view.</li>
 * </ul>
 */
public final class KafkaJobView implements EventFeed {
    private static final Logger LOG = Logger.getLogger(KafkaJobView.class);
    /** How long one poll waits for events: the longest a close waits for the thread to see it. */
    private static final Duration POLL = Duration.ofMillis(500);
    /** How often the topic's partitions are looked up again. */
    static final Duration PARTITION_CHECK = Duration.ofSeconds(30);
    /** How often they are looked up while the topic has none (it is not created yet). */
    private static final Duration FIRST_PARTITION_CHECK = Duration.ofSeconds(2);
    private static final Duration PAUSE_AFTER_ERROR = Duration.ofSeconds(1);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final Consumer<String, String> consumer;
    private final String topic;
    private final FarmJobs jobs;
    /** Told of each event after {@link #jobs}, with its record's timestamp. */
    private final ObjLongConsumer<JobEvent> listener;
    private final Thread thread;
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private volatile boolean closing;
    /** Milliseconds from the latest event's production to its application here; -1 before the first. */
    private volatile long lagMillis = -1;
    /** Whether every event that was on the topic when the partitions were first assigned has been applied. */
    private volatile boolean caughtUp;

    // Used by this view's thread only.
    private final Set<TopicPartition> assigned = new HashSet<>();
    /** The end of each partition when it was first assigned: reached, the view has caught up with the topic. */
    private final Map<TopicPartition, Long> startEnds = new HashMap<>();
    private long nextPartitionCheck = System.nanoTime();

    /**
     * @param consumerConfig the consumer's settings, as from {@link #consumerConfig}
     * @param topic          the events topic
     * @param jobs           where the events go
     */
    public KafkaJobView(Map<String, Object> consumerConfig, String topic, FarmJobs jobs) {
        this(consumerConfig, topic, jobs, (event, sentAtMillis) -> { });
    }

    /**
     * As above, telling {@code listener} of each event once {@code jobs} took it in, with its record's timestamp (when
     * it was sent, by the sender's clock): a daemon's {@link dev.diffarm.daemon.job.FarmJobEnds}.
     */
    public KafkaJobView(Map<String, Object> consumerConfig, String topic, FarmJobs jobs,
                        ObjLongConsumer<JobEvent> listener) {
        this.consumer = new KafkaConsumer<>(consumerConfig);
        this.topic = topic;
        this.jobs = jobs;
        this.listener = listener;
        this.thread = new Thread(this::run, "diffarm-view-" + topic);
        this.thread.setDaemon(true);
    }

    /**
     * The view's consumer settings: no group, no commits, text keys and values.
     *
     * @param bootstrapServers {@code host:port[,host:port...]}
     * @param clientId         the name this client has in the broker's logs and metrics
     */
    public static Map<String, Object> consumerConfig(String bootstrapServers, String clientId) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        // No group: every node reads every partition, and where it got to is this process's own business (a node
        // that starts reads the topic again, so nothing is committed).
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Events of a transaction that was aborted never happened (the event producer uses none today).
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return config;
    }

    /** Starts reading; returns at once. */
    public void start() {
        thread.start();
    }

    /** Events applied so far. */
    @Override
    public long applied() {
        return applied.get();
    }

    /** Records skipped because they were no event of this version. */
    public long skipped() {
        return skipped.get();
    }

    /**
     * How far behind the topic the view runs: the time from the latest event's production (its record's timestamp,
     * the producing node's clock) to its application here, in milliseconds; -1 before the first event.
     */
    public long lagMillis() {
        return lagMillis;
    }

    /** Whether the events on the topic when this view started have all been applied. */
    @Override
    public boolean isCaughtUp() {
        return caughtUp;
    }

    @Override
    public void close() {
        closing = true;
        consumer.wakeup();
        try {
            thread.join(CLOSE_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warnf("the view of %s did not stop in time", topic);
        }
    }

    private void run() {
        try {
            while (!closing) {
                try {
                    step();
                } catch (WakeupException e) {
                    // close(): the loop sees it
                } catch (KafkaException e) {
                    LOG.errorf("reading %s failed, trying again in %d s: %s", topic, PAUSE_AFTER_ERROR.toSeconds(), e);
                    sleep(PAUSE_AFTER_ERROR);
                }
            }
        } finally {
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warnf("closing the view of %s: %s", topic, e);
            }
        }
    }

    private void step() {
        if (System.nanoTime() - nextPartitionCheck >= 0) {
            nextPartitionCheck = System.nanoTime() + PARTITION_CHECK.toNanos();
            assignNewPartitions();
        }
        if (assigned.isEmpty()) {
            sleep(POLL);
            return;
        }
        for (ConsumerRecord<String, String> record : consumer.poll(POLL)) {
            apply(record);
        }
        if (!caughtUp) {
            caughtUp = startEnds.entrySet().stream().allMatch(end -> consumer.position(end.getKey()) >= end.getValue());
            if (caughtUp) {
                LOG.infof("the view of %s has caught up: %d events applied", topic, applied.get());
            }
        }
    }

    /** Assigns the topic's partitions not assigned yet, each from its beginning. */
    private void assignNewPartitions() {
        List<PartitionInfo> infos = consumer.partitionsFor(topic);
        Set<TopicPartition> added = new HashSet<>();
        for (PartitionInfo info : infos == null ? List.<PartitionInfo>of() : infos) {
            TopicPartition partition = new TopicPartition(topic, info.partition());
            if (!assigned.contains(partition)) {
                added.add(partition);
            }
        }
        if (added.isEmpty()) {
            if (assigned.isEmpty()) {
                // A farm whose events topic is not there yet has no events to read: nothing is unknown.
                caughtUp = true;
                LOG.debugf("the events topic %s has no partitions yet; looking again in %d s", topic,
                        FIRST_PARTITION_CHECK.toSeconds());
                nextPartitionCheck = System.nanoTime() + FIRST_PARTITION_CHECK.toNanos();
            }
            return;
        }
        startEnds.putAll(consumer.endOffsets(added));
        assigned.addAll(added);
        consumer.assign(assigned);
        consumer.seekToBeginning(added);
        LOG.infof("reading job events from %s, from the beginning", added);
    }

    private void apply(ConsumerRecord<String, String> record) {
        JobEvent event;
        try {
            event = JobEvent.parse(record.value() == null ? "" : record.value());
        } catch (IllegalArgumentException e) {
            long count = skipped.incrementAndGet();
            LOG.warnf("%s-%d@%d is no job event, skipped (%d so far): %s", record.topic(), record.partition(),
                    record.offset(), count, e.getMessage());
            return;
        }
        jobs.apply(event);
        try {
            listener.accept(event, record.timestamp());
        } catch (RuntimeException e) {
            LOG.errorf("%s-%d@%d: acting on %s failed: %s", record.topic(), record.partition(), record.offset(),
                    event.type(), e);
        }
        applied.incrementAndGet();
        lagMillis = Math.max(0, System.currentTimeMillis() - record.timestamp());
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
