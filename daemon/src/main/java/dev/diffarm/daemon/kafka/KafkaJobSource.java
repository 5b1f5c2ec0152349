package dev.diffarm.daemon.kafka;

import dev.diffarm.daemon.port.Delivery;
import dev.diffarm.daemon.port.JobParts;
import dev.diffarm.daemon.port.JobSource;
import dev.diffarm.daemon.port.TakenAhead;
import dev.diffarm.daemon.port.WaitingDelivery;
import dev.diffarm.farm.config.FarmSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.jboss.logging.Logger;

/**
 * Jobs from the Kafka topic {@code diffarm.jobs}, shared among the daemons of the consumer group
 * {@value KafkaClients#GROUP_ID}: each record is one submission, keyed by job id.
 * <ul>
 *   <li>One record is in progress per worker of the node, and at most one per partition ({@link JobConsumer} says
 *       why). Its offset is committed when the worker acknowledges it (after
 *       the job's outputs are stored) or dead-letters it, and not before: a daemon that dies mid-job leaves
 *       it uncommitted, and the group delivers it again.</li>
 *   <li>A job may run for hours: a thread of the source's own keeps polling meanwhile, with every partition
 *       paused, so the consumer stays in its group ({@code max.poll.interval.ms} never runs out).</li>
 *   <li>A dead letter goes to the dead-letter topic with the reason and origin in headers ({@link DeadLetters}),
 *       and is committed once stored there.</li>
 *   <li>A worker that polls again without settling the delivery it has gives that delivery up: it is
 *       delivered again after the redelivery delay (the job lifecycle leaves a submission it could not read
 *       unsettled).</li>
 *   <li>When the group moves the delivery's partition to another daemon while the job runs, the delivery is
 *       {@linkplain Delivery#isWithdrawn() withdrawn} (its job stops at its next step) and settling it commits
 *       nothing (and says so): the new owner delivers it again, and the job lifecycle skips the tasks already
 *       stored.</li>
 * </ul>
 * {@link #enqueue} produces to the jobs topic and returns once the broker has stored the record on every
 * in-sync replica.
 * <p>The chunks topic is consumed beside the jobs topic, by the same consumer under the same rules: its records are
 * the parts of large jobs that a daemon split for the group ({@link JobParts}, {@link Delivery#isJobPart()}), and
 * {@link #send} produces them.
 */
public final class KafkaJobSource implements JobSource, JobParts {
    private static final Logger LOG = Logger.getLogger(KafkaJobSource.class);
    /** How long a delivery given up by the worker waits before it is delivered again. */
    public static final Duration REDELIVERY_DELAY = Duration.ofSeconds(10);
    /** The longest a settlement waits for the consumer's thread to commit. */
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);
    /** Longer than the intake producer's own delivery timeout: a send always ends by itself first. */
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);

    private final FarmSettings.Topics topics;
    private final Producer<byte[], byte[]> producer;
    private final JobConsumer consumer;
    /** The delivery each worker took last, kept on the worker's own thread. */
    private final ThreadLocal<KafkaDelivery> taken = new ThreadLocal<>();
    /** The deliveries each worker took out of the handoff ahead ({@link #takeWaiting}), for its next polls. */
    private final TakenAhead<KafkaDelivery> ahead = new TakenAhead<>();

    /**
     * A source on a farm's brokers holding up to {@code workers} deliveries at once (its workers times their batch
     * size): group {@value KafkaClients#GROUP_ID}, client ids naming this host, connected as {@code security} says.
     */
    public static KafkaJobSource forFarm(FarmSettings.Kafka kafka, FarmSettings.Topics topics, KafkaSecurity security,
                                         int workers) {
        return new KafkaJobSource(
                security.applyTo(KafkaClients.jobConsumer(kafka.bootstrapServers(), KafkaClients.GROUP_ID,
                        KafkaClients.clientId("jobs"))),
                security.applyTo(KafkaClients.intakeProducer(kafka.bootstrapServers(), KafkaClients.clientId("intake"))),
                topics, REDELIVERY_DELAY, workers);
    }

    /** A source for one worker with these client settings, consuming at once. */
    public KafkaJobSource(Map<String, Object> consumerConfig, Map<String, Object> producerConfig,
                          FarmSettings.Topics topics, Duration redeliveryDelay) {
        this(consumerConfig, producerConfig, topics, redeliveryDelay, 1);
    }

    /**
     * A source with these client settings, consuming at once.
     *
     * @param consumerConfig  the job consumer's settings, as from {@link KafkaClients#jobConsumer}
     * @param producerConfig  the producer's settings (jobs and dead letters), as from {@link KafkaClients#intakeProducer}
     * @param topics          the jobs topic to consume and produce, and the dead-letter topic
     * @param redeliveryDelay how long a delivery the worker gave up waits before it is delivered again
     * @param workers         how many deliveries may be in progress at once: one per worker that polls it, times the
     *                        batch size where workers batch jobs together ({@link #takeWaiting})
     */
    public KafkaJobSource(Map<String, Object> consumerConfig, Map<String, Object> producerConfig,
                          FarmSettings.Topics topics, Duration redeliveryDelay, int workers) {
        this.topics = topics;
        this.producer = new KafkaProducer<>(producerConfig);
        try {
            this.consumer = new JobConsumer(new KafkaConsumer<>(consumerConfig), List.of(topics.jobs(), topics.chunks()),
                    Optional.of(topics.chunks()), new Settler(), redeliveryDelay, workers, "diffarm-kafka-" + topics.jobs());
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
        consumer.start();
    }

    @Override
    public Optional<Delivery> poll(Duration timeout) throws InterruptedException {
        return poll(timeout, Set.of());
    }

    /**
     * The next delivery; among those waiting for a worker, first one whose job names a model of {@code loadedModels}
     * (the at-most-one-per-partition rule holds either way: only deliveries already handed out wait here).
     */
    @Override
    public Optional<Delivery> poll(Duration timeout, Set<String> loadedModels) throws InterruptedException {
        consumer.checkRunning();
        KafkaDelivery last = taken.get();
        if (last != null && last.giveUpIfOpen()) {
            LOG.warnf("%s was neither acknowledged nor dead-lettered before the next poll", last.origin());
            consumer.giveUp(last);
        }
        Optional<KafkaDelivery> takenAhead = nextTakenAhead();
        Optional<KafkaDelivery> preferred = takenAhead.isPresent() ? takenAhead : preferred(loadedModels);
        KafkaDelivery next = preferred.isPresent() ? preferred.get()
                : consumer.handoff().poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        taken.set(next);
        return Optional.ofNullable(next);
    }

    /**
     * The calling worker's next delivery taken ahead whose partition is still this daemon's; one whose partition moved
     * meanwhile is let go (its new owner delivers it), rather than started only to stop at its first step.
     */
    private Optional<KafkaDelivery> nextTakenAhead() {
        for (Optional<KafkaDelivery> next = ahead.next(); next.isPresent(); next = ahead.next()) {
            if (!next.get().isWithdrawn()) {
                return next;
            }
            LOG.infof("%s: its partition moved while it waited to run after a batch; its new owner delivers it",
                    next.get().origin());
            consumer.giveUp(next.get());
        }
        return Optional.empty();
    }

    /**
     * Takes up to {@code max} of the deliveries waiting in the handoff (polled by the consumer for this node's idle
     * workers) that {@code fits} accepts, for the calling worker's next polls. They stay in progress, so the rule of at
     * most one delivery per partition holds and each partition's commits stay in offset order: a node can batch at
     * most as many jobs at once as it has partitions, and at most the deliveries it may hold
     * ({@code workers} in {@link #KafkaJobSource(Map, Map, FarmSettings.Topics, Duration, int)}).
     */
    @Override
    public List<Delivery> takeWaiting(Predicate<Delivery> fits, int max) {
        consumer.checkRunning();
        List<KafkaDelivery> took = new ArrayList<>();
        for (KafkaDelivery waiting : consumer.handoff()) {
            if (took.size() >= max) {
                break;
            }
            if (fits.test(new WaitingDelivery(waiting)) && consumer.handoff().remove(waiting)) {
                took.add(waiting);
            }
        }
        ahead.add(took);
        return List.copyOf(took);
    }

    /** A waiting delivery whose job names a loaded model, taken out of the handoff (by this worker only). */
    private Optional<KafkaDelivery> preferred(Set<String> loadedModels) {
        if (loadedModels.isEmpty()) {
            return Optional.empty();
        }
        for (KafkaDelivery waiting : consumer.handoff()) {
            if (waiting.model().filter(loadedModels::contains).isPresent() && consumer.handoff().remove(waiting)) {
                return Optional.of(waiting);
            }
        }
        return Optional.empty();
    }

    /**
     * Produces the job to the jobs topic, keyed by its id, its tenant in the {@value Delivery#TENANT_HEADER} header,
     * and waits until it is stored.
     *
     * @throws KafkaException when the broker did not store it in time (about 30 s), saying why
     */
    @Override
    public void enqueue(String jobId, String json, String tenant) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topics.jobs(), utf8(jobId), utf8(json));
        record.headers().add(Delivery.TENANT_HEADER, utf8(tenant));
        send(record, "job " + jobId);
    }

    /**
     * Produces the parts to the chunks topic and waits until the broker has stored every one.
     *
     * @throws KafkaException when one was not stored in time, naming it
     */
    @Override
    public void send(List<JobParts.Part> parts) {
        int partitions = parts.stream().anyMatch(part -> part.turn().isPresent())
                ? partitionCount(topics.chunks()) : 0;
        List<Future<?>> sent = new ArrayList<>(parts.size());
        for (JobParts.Part part : parts) {
            Integer partition = part.turn().isPresent() ? Math.floorMod(part.turn().getAsInt(), partitions) : null;
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topics.chunks(), partition, utf8(part.key()),
                    part.payload());
            try {
                sent.add(producer.send(record));
            } catch (KafkaException e) {
                throw new KafkaException("cannot send " + part.key() + " to " + topics.chunks() + ": " + e.getMessage(), e);
            }
        }
        for (int i = 0; i < sent.size(); i++) {
            await(sent.get(i), SEND_TIMEOUT, "sending " + parts.get(i).key() + " to " + topics.chunks());
        }
    }

    private int partitionCount(String topic) {
        try {
            return producer.partitionsFor(topic).size();
        } catch (KafkaException e) {
            throw new KafkaException("cannot tell the partitions of " + topic + ": " + e.getMessage(), e);
        }
    }

    /** This source: it produces the parts of jobs to the chunks topic, which it consumes. */
    @Override
    public Optional<JobParts> parts() {
        return Optional.of(this);
    }

    /**
     * Keeps this daemon in the consumer group only while {@code canWork} holds (such as the store check passing): a
     * daemon that cannot work leaves the group, so its partitions, and their jobs, go to the daemons that can; it joins
     * again when {@code canWork} holds again. {@link #problem()} says why it is out.
     */
    public void workOnlyWhile(BooleanSupplier canWork) {
        consumer.workOnlyWhile(canWork);
    }

    /** The records waiting in this daemon's partitions, as of a few seconds ago; empty before it joined its group. */
    @Override
    public OptionalLong backlog() {
        return consumer.backlog();
    }

    @Override
    public Optional<String> problem() {
        return consumer.problem();
    }

    /** Stops consuming and closes the clients; a delivery not settled yet is delivered again. */
    @Override
    public void close() {
        consumer.close();
        producer.close(Duration.ofSeconds(10));
    }

    /** Settles deliveries: on the worker's thread, waiting for the producer and for the consumer's thread. */
    private final class Settler implements KafkaDelivery.Settlement {
        @Override
        public void sendDeadLetter(KafkaDelivery delivery, String reason) {
            send(DeadLetters.of(delivery.record(), topics.deadLetters(), reason), "the dead letter of " + delivery.origin());
            LOG.infof("%s is in %s: %s", delivery.origin(), topics.deadLetters(), reason);
        }

        @Override
        public void commit(KafkaDelivery delivery) {
            await(consumer.commit(delivery), SETTLE_TIMEOUT, "committing " + delivery.origin());
        }
    }

    private void send(ProducerRecord<byte[], byte[]> record, String what) {
        Future<?> sent;
        try {
            sent = producer.send(record);
        } catch (KafkaException e) {
            throw new KafkaException("cannot send " + what + " to " + record.topic() + ": " + e.getMessage(), e);
        }
        await(sent, SEND_TIMEOUT, "sending " + what + " to " + record.topic());
    }

    /** Waits for {@code future}, turning what went wrong into an unchecked exception that says what was done. */
    private static void await(Future<?> future, Duration timeout, String doing) {
        try {
            future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IllegalStateException stateProblem) {
                throw stateProblem;
            }
            throw new KafkaException(doing + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaException(doing + " took over " + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException(doing + " was interrupted", e);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
