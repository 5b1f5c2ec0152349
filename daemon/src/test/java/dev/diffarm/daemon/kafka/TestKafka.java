package dev.diffarm.daemon.kafka;

import static org.junit.jupiter.api.Assertions.fail;

import dev.diffarm.daemon.port.Delivery;
import dev.diffarm.daemon.services.LocalServices;
import dev.diffarm.farm.config.FarmSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Kafka for the tests, on the broker of {@link LocalServices}: topics and consumer groups of their own for each
 * test (so tests never see each other's records), and plain clients to produce and read as other systems do.
 */
final class TestKafka {
    static final Duration WAIT = Duration.ofSeconds(60);

    private TestKafka() {
    }

    static String bootstrapServers() {
        return LocalServices.get().kafkaBootstrapServers();
    }

    /**
     * New jobs, events, dead-letter and chunks topics named after {@code name}, the jobs topic with {@code jobPartitions},
     * the chunks topic with 4.
     */
    static FarmSettings.Topics topics(String name, int jobPartitions) {
        return topics(name, jobPartitions, 4);
    }

    /** As above, the chunks topic with {@code chunkPartitions}. */
    static FarmSettings.Topics topics(String name, int jobPartitions, int chunkPartitions) {
        String prefix = name + "-" + UUID.randomUUID().toString().substring(0, 8);
        FarmSettings.Topics topics = new FarmSettings.Topics(prefix + ".jobs", prefix + ".events", prefix + ".jobs.dlq",
                prefix + ".chunks");
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topics.jobs(), jobPartitions, (short) 1),
                    new NewTopic(topics.events(), 3, (short) 1), new NewTopic(topics.deadLetters(), 1, (short) 1),
                    new NewTopic(topics.chunks(), chunkPartitions, (short) 1)))
                    .all().get();
        } catch (ExecutionException | InterruptedException e) {
            throw new IllegalStateException("cannot create the topics " + topics, e);
        }
        return topics;
    }

    /** A consumer group no other test uses. */
    static String group(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A source in {@code group} with the farm's client settings, changed by {@code consumerOverrides}. */
    static KafkaJobSource source(FarmSettings.Topics topics, String group, Duration redeliveryDelay,
                                 Map<String, Object> consumerOverrides) {
        return source(topics, group, redeliveryDelay, consumerOverrides, 1);
    }

    /** A source in {@code group} for {@code workers} workers (as many deliveries in progress at once). */
    static KafkaJobSource source(FarmSettings.Topics topics, String group, int workers) {
        return source(topics, group, KafkaJobSource.REDELIVERY_DELAY, Map.of(), workers);
    }

    private static KafkaJobSource source(FarmSettings.Topics topics, String group, Duration redeliveryDelay,
                                         Map<String, Object> consumerOverrides, int workers) {
        String clientId = group + "-" + UUID.randomUUID().toString().substring(0, 4);
        Map<String, Object> consumer = KafkaClients.jobConsumer(bootstrapServers(), group, clientId);
        consumer.putAll(consumerOverrides);
        return new KafkaJobSource(consumer, KafkaClients.intakeProducer(bootstrapServers(), clientId + "-intake"),
                topics, redeliveryDelay, workers);
    }

    static KafkaJobSource source(FarmSettings.Topics topics, String group) {
        return source(topics, group, KafkaJobSource.REDELIVERY_DELAY, Map.of());
    }

    /** The next delivery, polling as the worker does; fails the test if none comes in {@link #WAIT}. */
    static Delivery next(KafkaJobSource source) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Delivery> delivery = source.poll(Duration.ofMillis(250));
            if (delivery.isPresent()) {
                return delivery.get();
            }
        }
        return fail("no delivery within " + WAIT.toSeconds() + " s");
    }

    static String text(Delivery delivery) {
        return new String(delivery.payload(), StandardCharsets.UTF_8);
    }

    static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Sends records as another system would, and waits until they are stored. */
    @SafeVarargs
    static void produce(ProducerRecord<byte[], byte[]>... records) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
            for (ProducerRecord<byte[], byte[]> record : records) {
                producer.send(record).get();
            }
        } catch (ExecutionException | InterruptedException e) {
            throw new IllegalStateException("cannot produce", e);
        }
    }

    static ProducerRecord<byte[], byte[]> record(String topic, String key, String value) {
        return new ProducerRecord<>(topic, key == null ? null : utf8(key), utf8(value));
    }

    /**
     * Reads {@code topic} from its beginning, outside any group, until {@code done} holds for what was read;
     * fails the test if it does not within {@link #WAIT}.
     */
    static List<ConsumerRecord<byte[], byte[]>> readUntil(String topic, Predicate<List<ConsumerRecord<byte[], byte[]>>> done) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!done.test(read)) {
                if (System.nanoTime() > deadline) {
                    return fail("read " + read.size() + " records of " + topic + " in " + WAIT.toSeconds()
                            + " s, not yet what was expected: " + read.stream().map(r -> text(r.value())).toList());
                }
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
            }
        }
        return read;
    }

    /** Waits until {@code condition} holds; fails the test, saying {@code what} was awaited, if not within {@link #WAIT}. */
    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(what + ": not within " + WAIT.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
    }

    /** Every record {@code topic} holds now: as many as its end offsets add up to (no transaction writes to it). */
    static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        long records;
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                    .forEach(partition -> ends.put(new TopicPartition(topic, partition.partition()), OffsetSpec.latest()));
            records = admin.listOffsets(ends).all().get().values().stream()
                    .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
        } catch (ExecutionException | InterruptedException e) {
            throw new IllegalStateException("cannot read the end offsets of " + topic, e);
        }
        return readUntil(topic, read -> read.size() >= records);
    }

    /** The offsets {@code group} has committed. */
    static Map<TopicPartition, OffsetAndMetadata> committed(String group) {
        try (Admin admin = admin()) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        } catch (ExecutionException | InterruptedException e) {
            throw new IllegalStateException("cannot read the offsets of " + group, e);
        }
    }

    /** The offset {@code group} has committed on partition {@code partition} of {@code topic}; -1 for none. */
    static long committed(String group, String topic, int partition) {
        OffsetAndMetadata offset = committed(group).get(new TopicPartition(topic, partition));
        return offset == null ? -1 : offset.offset();
    }

    /** The offset {@code group} has committed on the partition once it is {@code expected}, or after {@link #WAIT}. */
    static long awaitCommitted(String group, String topic, int partition, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        long offset = committed(group, topic, partition);
        while (offset != expected && System.nanoTime() < deadline) {
            Thread.sleep(100);
            offset = committed(group, topic, partition);
        }
        return offset;
    }

    /**
     * Waits until {@code group} has {@code members} members, each assigned a partition of {@code topic}; fails the test
     * if it does not within {@link #WAIT}.
     */
    static void awaitMembers(String group, String topic, int members) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String seen = "nothing";
        try (Admin admin = admin()) {
            while (System.nanoTime() < deadline) {
                ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).describedGroups()
                        .get(group).get();
                seen = description.members().toString();
                if (description.members().size() == members && description.members().stream().allMatch(member ->
                        member.assignment().topicPartitions().stream().anyMatch(p -> p.topic().equals(topic)))) {
                    return;
                }
                Thread.sleep(200);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot describe " + group, e);
        }
        fail("group " + group + " did not have " + members + " members with partitions of " + topic + " within "
                + WAIT.toSeconds() + " s: " + seen);
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }
}
