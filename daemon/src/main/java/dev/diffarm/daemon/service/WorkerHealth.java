package dev.diffarm.daemon.service;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Live while the worker's thread runs: a dead worker takes no more jobs, and a restart brings it back. */
@Liveness
@Singleton
public class WorkerHealth implements HealthCheck {
    private final Worker worker;

    WorkerHealth(Worker worker) {
        this.worker = worker;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("worker").status(worker.isAlive()).withData("thread", worker.name()).build();
    }
}
