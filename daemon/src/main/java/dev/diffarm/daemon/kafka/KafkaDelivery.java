package dev.diffarm.daemon.kafka;

import dev.diffarm.daemon.port.Delivery;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * One record of the jobs topic, handed to the worker. It is settled once: acknowledged or dead-lettered (its
 * offset committed), or given up by the worker (taken again later). When its partition is revoked while the
 * worker has it, settling it commits nothing: the daemon that owns the partition now delivers it again.
 */
final class KafkaDelivery implements Delivery {
    private static final byte[] EMPTY = new byte[0];

    /** What settling a delivery takes; {@link KafkaJobSource} does it. */
    interface Settlement {
        /** Sends the delivery to the dead-letter topic and waits until it is stored there. */
        void sendDeadLetter(KafkaDelivery delivery, String reason);

        /** Commits the offset after the delivery and waits for the commit. */
        void commit(KafkaDelivery delivery);
    }

    private enum State { OPEN, SETTLING, SETTLED, GIVEN_UP }

    private final ConsumerRecord<byte[], byte[]> record;
    private final Settlement settlement;
    private final AtomicReference<State> state = new AtomicReference<>(State.OPEN);
    private final boolean jobPart;
    private volatile boolean revoked;
    /** The job's {@code model}, read from the payload once, for model affinity. */
    private volatile Optional<String> model;

    /** @param jobPart whether the record is from the chunks topic: a part of a job, not a submission */
    KafkaDelivery(ConsumerRecord<byte[], byte[]> record, Settlement settlement, boolean jobPart) {
        this.record = record;
        this.settlement = settlement;
        this.jobPart = jobPart;
    }

    @Override
    public boolean isJobPart() {
        return jobPart;
    }

    /** The value as sent; a record without a value (a tombstone) is an empty submission, which is no job. */
    @Override
    public byte[] payload() {
        return record.value() == null ? EMPTY : record.value();
    }

    /** {@code topic-partition@offset}, such as {@code diffarm.jobs-2@117}. */
    @Override
    public String origin() {
        return partition() + "@" + record.offset();
    }

    /** The last {@value Delivery#TENANT_HEADER} header, as UTF-8 text. */
    @Override
    public Optional<String> tenant() {
        Header header = record.headers().lastHeader(TENANT_HEADER);
        return header == null || header.value() == null ? Optional.empty()
                : Optional.of(new String(header.value(), StandardCharsets.UTF_8));
    }

    @Override
    public void acknowledge() {
        begin();
        commit();
    }

    @Override
    public void deadLetter(String reason) {
        begin();
        if (!revoked) {
            try {
                settlement.sendDeadLetter(this, reason);
            } catch (RuntimeException e) {
                // Not settled: the worker may try again, or the source delivers it again.
                state.set(State.OPEN);
                throw e;
            }
        }
        commit();
    }

    /**
     * The top-level {@code model} its job names, for a worker that prefers the model it has loaded; empty when the
     * payload is no JSON object or names none (the intake says why, later).
     */
    Optional<String> model() {
        Optional<String> known = model;
        if (known == null) {
            known = JobModel.of(payload());
            model = known;
        }
        return known;
    }

    ConsumerRecord<byte[], byte[]> record() {
        return record;
    }

    TopicPartition partition() {
        return new TopicPartition(record.topic(), record.partition());
    }

    long offset() {
        return record.offset();
    }

    /** Marks the delivery as no longer this daemon's to commit: its partition went to another consumer. */
    void revoke() {
        revoked = true;
    }

    boolean isRevoked() {
        return revoked;
    }

    /** Revoked: its partition went to another consumer, which delivers it again. */
    @Override
    public boolean isWithdrawn() {
        return revoked;
    }

    /** Gives the delivery up if it is not settled, nor being settled; whether it was given up. */
    boolean giveUpIfOpen() {
        return state.compareAndSet(State.OPEN, State.GIVEN_UP);
    }

    private void begin() {
        if (!state.compareAndSet(State.OPEN, State.SETTLING)) {
            throw new IllegalStateException(origin() + " was " + switch (state.get()) {
                case SETTLING, SETTLED -> "settled already";
                case GIVEN_UP -> "given up when the next job was polled before it was settled; it is delivered again";
                case OPEN -> "open";
            });
        }
    }

    private void commit() {
        try {
            settlement.commit(this);
        } finally {
            // Committed, or not this daemon's to commit any more: either way the delivery is done here.
            state.set(State.SETTLED);
        }
    }
}
