package dev.diffarm.daemon.service;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

/**
 * Live while every worker's thread runs: a dead worker takes no more jobs, and a restart brings it back. Lists each
 * worker under its thread's name with its device and what it does: {@code cpu: idle},
 * {@code cuda:1: running diffarm.jobs-2@17}, or {@code cuda:1: stopped}.
 */
@Liveness
@Singleton
public class WorkerHealth implements HealthCheck {
    private final WorkerPool workers;

    WorkerHealth(WorkerPool workers) {
        this.workers = workers;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("workers")
                .status(workers.workers().stream().allMatch(Worker::isAlive));
        for (Worker worker : workers.workers()) {
            response.withData(worker.name(), worker.device() + ": " + (!worker.isAlive() ? "stopped"
                    : worker.current().map(origin -> "running " + origin).orElse("idle")));
        }
        return response.build();
    }
}
