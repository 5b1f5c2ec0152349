package dev.diffarm.daemon.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * The thread that owns the consumer of the jobs topic and the chunks topic (a Kafka consumer must be used from one
 * thread). It polls
 * all the time, so the group never takes its partitions away for want of polls however long a job runs, and
 * hands out one record per worker, to as many workers as the node has ({@code workers}):
 * <ul>
 *   <li>a record polled becomes a delivery in progress and goes to {@link #handoff()}, where an idle worker
 *       takes it; its partition is paused until that delivery is settled, and every assigned partition while
 *       each worker has a delivery, so the records after it stay in the consumer (which fetches one record per
 *       poll: a partition's position is always just past its delivery in progress, and nothing is skipped);</li>
 *   <li>settling commits the offset after the record, here on this thread ({@link #commit});</li>
 *   <li>a delivery the worker gives up ({@link #giveUp}) is polled again after a delay, from its offset;</li>
 *   <li>when a delivery's partition is revoked, a record not yet taken by a worker is withdrawn, and one a
 *       worker has is marked revoked (its job stops at its next step): settling it commits nothing, as the
 *       partition's new owner delivers it again.</li>
 * </ul>
 * Commits stay in offset order per partition by one rule: <em>at most one delivery per partition is in progress</em>.
 * Two jobs of one partition never run at once, so a commit of a later offset can never pass over an earlier job that
 * is still running (a Kafka offset commit says "everything before this is done"). Two workers take jobs of two
 * partitions; a node with more workers than partitions leaves the extra workers idle, and the topic's partition count
 * is what bounds a group's parallelism anyway.
 * Other threads talk to it through requests that {@link Consumer#wakeup()} brings to its attention at once.
 */
final class JobConsumer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(JobConsumer.class);
    /** How long one poll may wait for records; requests wake it earlier. */
    private static final Duration POLL = Duration.ofMillis(500);
    /** Time limit of a commit and of the backlog's offset look-ups. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration BACKLOG_REFRESH = Duration.ofSeconds(5);
    private static final Duration CONNECT_GRACE = Duration.ofSeconds(3);
    private static final Duration PAUSE_AFTER_ERROR = Duration.ofSeconds(1);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private enum Kind { COMMIT, GIVE_UP }

    /** Something another thread asks of this one, answered through {@code done}. */
    private record Request(Kind kind, KafkaDelivery delivery, CompletableFuture<Void> done) {
    }

    private final Consumer<byte[], byte[]> consumer;
    /** The topics consumed, for messages. */
    private final String topic;
    private final List<String> topics;
    /** The topic whose records are parts of jobs ({@link KafkaDelivery#isJobPart()}), if any is consumed. */
    private final Optional<String> partsTopic;
    private final KafkaDelivery.Settlement settlement;
    private final Duration redeliveryDelay;
    private final Thread thread;
    private final BlockingQueue<KafkaDelivery> handoff = new LinkedBlockingQueue<>();
    private final Queue<Request> requests = new ConcurrentLinkedQueue<>();
    /** Commits to try again once a poll has completed the rebalance that stopped them. This thread's only. */
    private final List<Request> afterPoll = new ArrayList<>();
    /** How many deliveries may be in progress at once: one per worker. */
    private final int workers;
    private volatile boolean closing;
    private volatile boolean stopped;
    private volatile Throwable failure;
    private volatile OptionalLong backlog = OptionalLong.empty();
    private volatile Optional<String> problem = Optional.empty();
    /** Whether the node can work now: while it cannot, the consumer is out of its group ({@link #workOnlyWhile}). */
    private volatile BooleanSupplier canWork = () -> true;

    // Used by this consumer's thread only.
    /** Handed out (or waiting in the handoff) and not settled: at most one per partition. */
    private final Map<TopicPartition, KafkaDelivery> inProgress = new HashMap<>();
    /** After a delivery was given up: its partition is paused until then, so that a job failing to be read does not spin. */
    private final Map<TopicPartition, Long> pausedUntil = new HashMap<>();
    private long nextBacklog = System.nanoTime();
    /** The first look at the consumer's connections: a moment after the start, to give it time to connect. */
    private long nextConnectionCheck = System.nanoTime() + CONNECT_GRACE.toNanos();
    private boolean joined;
    private boolean subscribed;

    /**
     * Several topics are consumed under the same rules (their partitions are told apart by topic): a worker takes
     * whichever record comes, and at most one per partition of any topic is in progress.
     *
     * @param consumer        a consumer that is not subscribed yet; this object closes it
     * @param topics          the topics to consume
     * @param partsTopic      the one of them whose records are parts of jobs (chunks and finalize records), if any
     * @param redeliveryDelay how long a given-up delivery waits before it is polled again
     * @param workers         how many deliveries may be in progress at once (the node's workers)
     */
    JobConsumer(Consumer<byte[], byte[]> consumer, List<String> topics, Optional<String> partsTopic,
                KafkaDelivery.Settlement settlement, Duration redeliveryDelay, int workers, String threadName) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers = " + workers + ": expected at least 1");
        }
        if (partsTopic.isPresent() && !topics.contains(partsTopic.get())) {
            throw new IllegalArgumentException("the parts topic " + partsTopic.get() + " is not among " + topics);
        }
        this.workers = workers;
        this.consumer = consumer;
        this.topics = List.copyOf(topics);
        this.partsTopic = partsTopic;
        this.topic = String.join(", ", topics);
        this.settlement = settlement;
        this.redeliveryDelay = redeliveryDelay;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Where deliveries wait for an idle worker: at most one per worker. */
    BlockingQueue<KafkaDelivery> handoff() {
        return handoff;
    }

    /**
     * Submissions waiting in the assigned partitions, as of the last look (every few seconds); empty before
     * the consumer has joined its group, or when the look failed.
     */
    OptionalLong backlog() {
        return backlog;
    }

    /** Why no job can come now (no connection to any broker), as of the last look (every few seconds). */
    Optional<String> problem() {
        return problem;
    }

    /**
     * Keeps the consumer in its group only while {@code canWork} holds (checked before every poll): while it does not,
     * the consumer unsubscribes, so that the group gives its partitions to the other daemons instead of leaving their
     * jobs waiting; it subscribes again once it holds. A delivery in progress when the consumer leaves is revoked, as
     * when the group moves its partition (its job stops at its next step; the new owner delivers it again).
     */
    void workOnlyWhile(BooleanSupplier canWork) {
        this.canWork = canWork;
        consumer.wakeup();
    }

    /** @throws IllegalStateException if the consumer's thread has stopped on an error */
    void checkRunning() {
        Throwable cause = failure;
        if (cause != null) {
            throw new IllegalStateException("the consumer of " + topic + " stopped: " + cause, cause);
        }
    }

    /** Commits the offset after {@code delivery}; completes when committed, exceptionally when not. */
    CompletableFuture<Void> commit(KafkaDelivery delivery) {
        return submit(Kind.COMMIT, delivery);
    }

    /** Lets go of {@code delivery} unsettled: it is polled again, from its offset, after the redelivery delay. */
    void giveUp(KafkaDelivery delivery) {
        submit(Kind.GIVE_UP, delivery);
    }

    /** Stops the thread and closes the consumer, committing nothing more: a delivery in progress comes back. */
    @Override
    public void close() {
        closing = true;
        consumer.wakeup();
        try {
            thread.join(CLOSE_TIMEOUT.multipliedBy(3).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warnf("the consumer of %s did not stop in time", topic);
        }
    }

    private CompletableFuture<Void> submit(Kind kind, KafkaDelivery delivery) {
        Request request = new Request(kind, delivery, new CompletableFuture<>());
        requests.add(request);
        if (stopped) {
            failWaiting();
        } else {
            consumer.wakeup();
        }
        return request.done();
    }

    private void run() {
        try {
            while (!closing) {
                try {
                    step();
                } catch (WakeupException e) {
                    // a request or close: the next step sees it
                } catch (KafkaException e) {
                    LOG.errorf("consuming %s failed, trying again in %d s: %s", topic, PAUSE_AFTER_ERROR.toSeconds(), e);
                    sleep(PAUSE_AFTER_ERROR);
                }
            }
        } catch (RuntimeException | Error e) {
            failure = e;
            LOG.errorf(e, "the consumer of %s stopped", topic);
        } finally {
            stopped = true;
            handoff.clear();
            failWaiting();
            try {
                // Without automatic commits, closing commits nothing: what is in progress is delivered again.
                consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
            } catch (RuntimeException e) {
                LOG.warnf("closing the consumer of %s: %s", topic, e);
            }
        }
    }

    private void step() {
        serveRequests();
        if (!followCanWork()) {
            sleep(POLL);
            return;
        }
        refreshBacklog();
        checkConnections();
        if (!requests.isEmpty() || closing) {
            // A wake-up meant for them may have been used up by a commit or a look-up: serve them before polling.
            return;
        }
        pauseWhileBusy();
        try {
            take(consumer.poll(POLL));
        } finally {
            requests.addAll(afterPoll);
            afterPoll.clear();
        }
    }

    /** Subscribes or unsubscribes as the node can work or not; whether the consumer is in its group now. */
    private boolean followCanWork() {
        boolean can = canWork.getAsBoolean();
        if (can && !subscribed) {
            consumer.subscribe(topics, new Rebalancing());
            subscribed = true;
            if (problem.isPresent()) {
                LOG.infof("this node can work again: joining the group for %s", topic);
            }
            problem = Optional.empty();
            nextConnectionCheck = System.nanoTime() + CONNECT_GRACE.toNanos();
        } else if (!can && subscribed) {
            boolean hadPartitions = !consumer.assignment().isEmpty();
            consumer.unsubscribe();
            subscribed = false;
            joined = false;
            backlog = OptionalLong.empty();
            problem = Optional.of("left the consumer group of " + topic + " while this node cannot work (its outputs "
                    + "cannot be stored): its partitions went to the other daemons");
            if (hadPartitions) {
                LOG.warn(problem.get());
            }
        } else if (!can && problem.isEmpty()) {
            problem = Optional.of("not in the consumer group of " + topic + " until this node can work (its outputs "
                    + "cannot be stored)");
        }
        return subscribed;
    }

    private void take(Iterable<ConsumerRecord<byte[], byte[]>> records) {
        Set<TopicPartition> rewound = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            if (isFull() || isHeld(partition) || rewound.contains(partition)) {
                // A record beyond the workers, one of a partition with a job in progress, or one from a partition
                // assigned within this poll before it could be paused: back to it, so that it is polled again when
                // its turn comes.
                if (rewound.add(partition)) {
                    consumer.seek(partition, record.offset());
                }
                continue;
            }
            KafkaDelivery delivery = new KafkaDelivery(record, settlement,
                    partsTopic.filter(record.topic()::equals).isPresent());
            inProgress.put(partition, delivery);
            handoff.add(delivery);
        }
    }

    /** Whether every worker has a delivery. */
    private boolean isFull() {
        return inProgress.size() >= workers;
    }

    /** Whether no record of {@code partition} may be handed out now: one is in progress, or waits to be again. */
    private boolean isHeld(TopicPartition partition) {
        Long until = pausedUntil.get(partition);
        if (until != null && System.nanoTime() - until >= 0) {
            pausedUntil.remove(partition);
            until = null;
        }
        return until != null || inProgress.containsKey(partition);
    }

    /** Pauses every partition while each worker has a delivery, else those that are held; resumes the rest. */
    private void pauseWhileBusy() {
        Set<TopicPartition> assigned = consumer.assignment();
        Set<TopicPartition> held = new HashSet<>();
        for (TopicPartition partition : assigned) {
            if (isFull() || isHeld(partition)) {
                held.add(partition);
            }
        }
        consumer.pause(held);
        Set<TopicPartition> free = new HashSet<>(consumer.paused());
        free.removeAll(held);
        if (!free.isEmpty()) {
            consumer.resume(free);
        }
    }

    /** Serves the requests waiting now; one to be tried again after the next poll goes back in the queue. */
    private void serveRequests() {
        List<Request> waiting = new ArrayList<>();
        for (Request request = requests.poll(); request != null; request = requests.poll()) {
            waiting.add(request);
        }
        for (Request request : waiting) {
            switch (request.kind()) {
                case COMMIT -> serveCommit(request);
                case GIVE_UP -> serveGiveUp(request);
            }
        }
    }

    private void serveCommit(Request request) {
        KafkaDelivery delivery = request.delivery();
        KafkaDelivery current = inProgress.get(delivery.partition());
        if (delivery != current) {
            request.done().completeExceptionally(new IllegalStateException(delivery.origin()
                    + " is not the delivery in progress" + (current == null ? "" : " (" + current.origin() + " is)")));
            return;
        }
        if (delivery.isRevoked()) {
            inProgress.remove(delivery.partition());
            request.done().completeExceptionally(revoked(delivery));
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offset = Map.of(delivery.partition(), new OffsetAndMetadata(delivery.offset() + 1));
        while (true) {
            try {
                consumer.commitSync(offset, CALL_TIMEOUT);
                inProgress.remove(delivery.partition());
                request.done().complete(null);
                return;
            } catch (WakeupException meantForPoll) {
                // the wake-up of another request: commit again
            } catch (RebalanceInProgressException e) {
                // The rebalance completes in the next poll; the partition may be gone by then.
                afterPoll.add(request);
                return;
            } catch (RuntimeException e) {
                // The job is done either way; the next commit on this partition covers it, or it comes back.
                inProgress.remove(delivery.partition());
                request.done().completeExceptionally(new KafkaException("cannot commit " + delivery.origin() + ": " + e, e));
                return;
            }
        }
    }

    private void serveGiveUp(Request request) {
        KafkaDelivery delivery = request.delivery();
        if (delivery == inProgress.get(delivery.partition())) {
            inProgress.remove(delivery.partition());
            if (!delivery.isRevoked() && consumer.assignment().contains(delivery.partition())) {
                consumer.seek(delivery.partition(), delivery.offset());
                pausedUntil.put(delivery.partition(), System.nanoTime() + redeliveryDelay.toNanos());
                LOG.warnf("%s was not settled; delivering it again in %d s", delivery.origin(), redeliveryDelay.toSeconds());
            }
        }
        request.done().complete(null);
    }

    private void refreshBacklog() {
        if (System.nanoTime() - nextBacklog < 0 || !joined) {
            return;
        }
        nextBacklog = System.nanoTime() + BACKLOG_REFRESH.toNanos();
        Set<TopicPartition> assigned = consumer.assignment();
        try {
            Map<TopicPartition, Long> ends = consumer.endOffsets(assigned, CALL_TIMEOUT);
            long waiting = 0;
            for (TopicPartition partition : assigned) {
                // The position is just past the last record handed out.
                waiting += Math.max(0, ends.getOrDefault(partition, 0L) - consumer.position(partition, CALL_TIMEOUT));
            }
            backlog = OptionalLong.of(waiting);
        } catch (WakeupException meantForPoll) {
            nextBacklog = System.nanoTime();
        } catch (KafkaException e) {
            backlog = OptionalLong.empty();
            LOG.debugf("cannot tell the backlog of %s: %s", topic, e);
        }
    }

    /**
     * A consumer that reaches a broker keeps a connection to it (for its group's heartbeats at least); one with
     * none has lost every broker. Read from the client's own metrics, on this thread.
     */
    private void checkConnections() {
        if (System.nanoTime() - nextConnectionCheck < 0) {
            return;
        }
        nextConnectionCheck = System.nanoTime() + BACKLOG_REFRESH.toNanos();
        double connections = consumer.metrics().entrySet().stream()
                .filter(metric -> metric.getKey().name().equals("connection-count")
                        && metric.getKey().group().equals("consumer-metrics"))
                .map(metric -> metric.getValue().metricValue())
                .filter(Number.class::isInstance).mapToDouble(value -> ((Number) value).doubleValue())
                .sum();
        Optional<String> now = connections > 0 ? Optional.empty()
                : Optional.of("no connection to a Kafka broker: no jobs can be taken from " + topic);
        if (!now.equals(problem)) {
            now.ifPresentOrElse(LOG::warn, () -> LOG.infof("connected to Kafka again; taking jobs from %s", topic));
        }
        problem = now;
    }

    private IllegalStateException revoked(KafkaDelivery delivery) {
        return new IllegalStateException(delivery.origin() + " was not committed: its partition was revoked while "
                + "the job ran, and the consumer that owns it now delivers it again");
    }

    private void failWaiting() {
        for (Request request = requests.poll(); request != null; request = requests.poll()) {
            request.done().completeExceptionally(new IllegalStateException(request.delivery().origin()
                    + " was not settled: the consumer of " + topic + " is closed, and it will be delivered again"));
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Keeps the delivery in progress consistent with the partitions this consumer owns. Runs inside poll. */
    private final class Rebalancing implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            joined = true;
            if (!partitions.isEmpty()) {
                LOG.infof("assigned %s", partitions);
            }
            if (isFull()) {
                consumer.pause(partitions);
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            lose(partitions, "revoked");
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            lose(partitions, "lost");
        }

        private void lose(Collection<TopicPartition> partitions, String how) {
            if (closing) {
                // Closing gives every partition up; what is in progress is delivered again anyway.
                return;
            }
            if (!partitions.isEmpty()) {
                LOG.infof("%s %s", how, partitions);
            }
            for (TopicPartition partition : partitions) {
                pausedUntil.remove(partition);
                KafkaDelivery delivery = inProgress.get(partition);
                if (delivery == null) {
                    continue;
                }
                if (handoff.remove(delivery)) {
                    inProgress.remove(partition);
                    LOG.infof("%s: its partition was %s before a worker took it; its new owner delivers it",
                            delivery.origin(), how);
                } else {
                    // Stays in progress until its worker has stopped it: a record of the partition (should it come
                    // back here) waits until then.
                    delivery.revoke();
                    LOG.warnf("%s: its partition was %s while its job runs; its job stops at its next step, the consumer "
                            + "that owns the partition now delivers it again, and this one will not commit it",
                            delivery.origin(), how);
                }
            }
        }
    }
}
