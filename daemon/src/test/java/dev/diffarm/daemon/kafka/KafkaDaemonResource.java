package dev.diffarm.daemon.kafka;

import dev.diffarm.daemon.services.LocalServices;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points the daemon under test at the Kafka broker of {@link LocalServices} (its default topics and group). The
 * models and local folders come from {@link dev.diffarm.daemon.rest.LocalDaemonResource}, which every
 * {@code @QuarkusTest} gets.
 */
public class KafkaDaemonResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        return Map.of("diffarm.kafka.bootstrap-servers", LocalServices.get().kafkaBootstrapServers());
    }

    @Override
    public void stop() {
        // The broker belongs to the test JVM, which stops it at its end.
    }
}
