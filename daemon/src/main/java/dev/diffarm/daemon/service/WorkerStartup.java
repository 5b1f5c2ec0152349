package dev.diffarm.daemon.service;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/** Starts the worker when the application has started, and stops it when the application stops. */
@Singleton
public class WorkerStartup {
    void start(@Observes StartupEvent started, Worker worker) {
        worker.start();
    }

    void stop(@Observes ShutdownEvent stopping, Worker worker) {
        worker.close();
    }
}
