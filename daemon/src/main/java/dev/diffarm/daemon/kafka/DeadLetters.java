package dev.diffarm.daemon.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Dead letters on the dead-letter topic ({@code diffarm.jobs.dlq}): the submission's key, value and headers as
 * they came, plus headers saying why and where from, each a UTF-8 string:
 * <ul>
 *   <li>{@value #REASON}: why it is no job, such as {@code not-json: not JSON (Unexpected character ...)};</li>
 *   <li>{@value #TOPIC}, {@value #PARTITION}, {@value #OFFSET}: the record it was.</li>
 * </ul>
 */
public final class DeadLetters {
    public static final String REASON = "diffarm.dlq.reason";
    public static final String TOPIC = "diffarm.dlq.topic";
    public static final String PARTITION = "diffarm.dlq.partition";
    public static final String OFFSET = "diffarm.dlq.offset";

    private DeadLetters() {
    }

    /** The dead letter of {@code submission}, to {@code topic}. */
    public static ProducerRecord<byte[], byte[]> of(ConsumerRecord<byte[], byte[]> submission, String topic, String reason) {
        RecordHeaders headers = new RecordHeaders();
        for (Header header : submission.headers()) {
            headers.add(header);
        }
        headers.add(REASON, utf8(reason));
        headers.add(TOPIC, utf8(submission.topic()));
        headers.add(PARTITION, utf8(Integer.toString(submission.partition())));
        headers.add(OFFSET, utf8(Long.toString(submission.offset())));
        return new ProducerRecord<>(topic, null, submission.key(), submission.value(), headers);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
