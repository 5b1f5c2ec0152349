package dev.diffarm.daemon.kafka;

import dev.diffarm.daemon.port.Delivery;
import dev.diffarm.farm.config.FarmSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * A daemon, in a process of its own, that takes one job and works on it until it is killed: prints
 * {@code holding <origin>} once it has the job. Its group session is short (6 s), so that the group notices
 * the kill soon.
 * <p>Arguments: bootstrap servers, jobs topic, events topic, dead-letter topic, consumer group, chunks topic.
 */
public final class HoldingDaemon {
    private HoldingDaemon() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrapServers = args[0];
        FarmSettings.Topics topics = new FarmSettings.Topics(args[1], args[2], args[3], args[5]);
        String clientId = "holding-" + ProcessHandle.current().pid();
        Map<String, Object> consumer = KafkaClients.jobConsumer(bootstrapServers, args[4], clientId);
        consumer.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6_000);
        consumer.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
        KafkaJobSource source = new KafkaJobSource(consumer, KafkaClients.intakeProducer(bootstrapServers, clientId),
                topics, KafkaJobSource.REDELIVERY_DELAY);
        Optional<Delivery> delivery = Optional.empty();
        while (delivery.isEmpty()) {
            delivery = source.poll(Duration.ofSeconds(1));
        }
        System.out.println("holding " + delivery.get().origin());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
