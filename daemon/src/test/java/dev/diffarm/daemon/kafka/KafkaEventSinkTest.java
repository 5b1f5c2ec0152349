package dev.diffarm.daemon.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.diffarm.farm.config.EventError;
import dev.diffarm.farm.config.FarmSettings;
import dev.diffarm.farm.config.JobEvent;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Events on the events topic, read back by a plain consumer as another system would. */
class KafkaEventSinkTest {

    @Test
    void eventsArriveKeyedByJobIdAsTheirJsonInOrder() {
        FarmSettings.Topics topics = TestKafka.topics("events", 1);
        List<JobEvent> cats = List.of(new JobEvent.Accepted("cats", "render", 2),
                new JobEvent.Progress("cats", "t0000", 1, 2, 0, 2),
                new JobEvent.TaskCompleted("cats", "t0000", "jobs/cats/t0000.png", "9f2c", false),
                new JobEvent.TaskCompleted("cats", "t0001", "jobs/cats/t0001.png", "77aa", true),
                new JobEvent.Completed("cats", List.of("jobs/cats/t0000.png", "jobs/cats/t0001.png")));
        List<JobEvent> dogs = List.of(new JobEvent.Accepted("dogs", "render", 1),
                new JobEvent.Failed("dogs", Optional.of("t0000"), new EventError("render-failed", "out of memory")));
        JobEvent anonymous = new JobEvent.Rejected(Optional.empty(),
                List.of(new EventError("not-json", "not JSON (Unexpected character)", Optional.empty())));

        String clientId = "events-test-" + UUID.randomUUID();
        try (KafkaEventSink sink = new KafkaEventSink(KafkaClients.eventProducer(TestKafka.bootstrapServers(), clientId),
                topics.events())) {
            for (int i = 0; i < cats.size(); i++) {
                sink.publish(cats.get(i));
                if (i < dogs.size()) {
                    sink.publish(dogs.get(i));
                }
            }
            sink.publish(anonymous);
            // closing delivers what is still buffered
        }

        int total = cats.size() + dogs.size() + 1;
        List<ConsumerRecord<byte[], byte[]>> read = TestKafka.readUntil(topics.events(), records -> records.size() >= total);
        assertEquals(total, read.size());
        read = read.stream().sorted(Comparator.comparingInt(ConsumerRecord<byte[], byte[]>::partition)
                .thenComparingLong(ConsumerRecord::offset)).toList();
        assertEquals(cats, eventsOf(read, "cats"), "every event of the job, in order, as published");
        assertEquals(dogs, eventsOf(read, "dogs"));
        List<ConsumerRecord<byte[], byte[]>> unkeyed = read.stream().filter(record -> record.key() == null).toList();
        assertEquals(1, unkeyed.size());
        assertEquals(anonymous.toJson(), TestKafka.text(unkeyed.get(0).value()));
        assertNull(unkeyed.get(0).key(), "a rejected submission without an id has no key");
    }

    private static List<JobEvent> eventsOf(List<ConsumerRecord<byte[], byte[]>> records, String jobId) {
        return records.stream().filter(record -> jobId.equals(TestKafka.text(record.key())))
                .map(record -> JobEvent.parse(TestKafka.text(record.value()))).toList();
    }
}
