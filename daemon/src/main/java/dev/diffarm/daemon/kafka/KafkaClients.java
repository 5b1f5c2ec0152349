package dev.diffarm.daemon.kafka;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The settings of the daemon's Kafka clients, in one place. Each method returns a fresh mutable map, so a
 * caller (a test) can override a key before handing it to a client.
 */
public final class KafkaClients {
    /** The consumer group of every diffarm daemon: the partitions of the jobs topic are shared among them. */
    public static final String GROUP_ID = "diffarm";

    private KafkaClients() {
    }

    /**
     * The job consumer: offsets are committed by {@link KafkaJobSource} alone, once a job has reached its end.
     *
     * @param bootstrapServers {@code host:port[,host:port...]}
     * @param groupId          the consumer group, {@value #GROUP_ID} on a farm
     * @param clientId         the name this client has in the broker's logs and metrics
     */
    public static Map<String, Object> jobConsumer(String bootstrapServers, String groupId, String clientId) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Jobs are work: a group that starts for the first time takes the jobs already waiting, not only new ones.
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // One job at a time: the consumer keeps the rest of a fetch in its buffer, and its position is always
        // just past the job handed out, so pausing never skips a record.
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        // A job sent in a transaction that was aborted was never sent.
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        // Partitions move only when another daemon needs them, so a job in progress keeps its partition when
        // daemons join or leave the group, instead of every partition being revoked and handed out again.
        config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        // A daemon that died without leaving the group holds its partition, and the job in flight on it, until its
        // session expires: 10 s instead of the default 45 s lets a restarted (or another) daemon resume sooner.
        // Heartbeats come from the client's own thread, so a long job does not count against it.
        config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 2_000);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return config;
    }

    /**
     * The producer of the jobs and dead-letter topics: raw bytes, so that a dead letter is the submission as
     * it came, whatever it is. A send is waited for: its time limit is what a REST client waits at most when
     * the broker is away.
     */
    public static Map<String, Object> intakeProducer(String bootstrapServers, String clientId) {
        Map<String, Object> config = durableProducer(bootstrapServers, clientId);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return config;
    }

    /**
     * The producer of the events topic: JSON text keyed by job id, fed by {@link KafkaEventSink}'s own thread, never
     * by a worker.
     */
    public static Map<String, Object> eventProducer(String bootstrapServers, String clientId) {
        Map<String, Object> config = durableProducer(bootstrapServers, clientId);
        // How long one hand-over waits while the partitions are unknown (the broker away); the sink's thread then
        // tries again, so this only sets how often it logs and rechecks, not whether the event is kept.
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        // An event handed over waits in the producer until the broker is back, however long the outage: the
        // default (2 minutes) dropped events in outages. Idempotence keeps them in order and once.
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return config;
    }

    /**
     * A client id that names this host and the client's role, such as {@code diffarm-node7-jobs}: the host from
     * {@code HOSTNAME} (a Kubernetes pod's name), else the local host name.
     */
    public static String clientId(String role) {
        return "diffarm-" + hostName() + "-" + role;
    }

    /** Written once to every in-sync replica, and in order: a retried send is neither lost nor duplicated. */
    private static Map<String, Object> durableProducer(String bootstrapServers, String clientId) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return config;
    }

    private static String hostName() {
        String fromEnvironment = System.getenv("HOSTNAME");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return fromEnvironment.strip();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-host";
        }
    }
}
