package dev.diffarm.daemon.service;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;

/** Starts the workers when the application has started, and stops them when the application stops. */
@Singleton
public class WorkerStartup {
    void start(@Observes StartupEvent started, WorkerPool workers) {
        workers.start();
    }

    void stop(@Observes ShutdownEvent stopping, WorkerPool workers) {
        workers.stop(Duration.ofSeconds(10));
    }
}
