package dev.diffarm.daemon.service;

import dev.diffarm.daemon.port.JobSource;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.render.LoadedModels;
import dev.diffarm.daemon.render.ModelDirectory;
import dev.diffarm.daemon.status.JobStatuses;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the models directory exists (without it every job would be rejected), outputs can be stored
 * (the last {@link StoreWatch} check passed), jobs can come (the job source reaches its broker) and, on a Kafka farm,
 * the node has read the farm's job events there were when it started (so that it answers for every job). Reports the models found, the loaded ones (the first device's alone, and each device's in order), where outputs go and
 * why they cannot be stored, and how many submissions wait.
 */
@Readiness
@Singleton
public class FarmReadiness implements HealthCheck {
    private final ModelDirectory models;
    private final LoadedModels loaded;
    private final OutputStore store;
    private final StoreWatch storeWatch;
    private final JobSource source;
    private final JobStatuses statuses;

    FarmReadiness(ModelDirectory models, LoadedModels loaded, OutputStore store, StoreWatch storeWatch,
                  JobSource source, JobStatuses statuses) {
        this.models = models;
        this.loaded = loaded;
        this.store = store;
        this.storeWatch = storeWatch;
        this.source = source;
        this.statuses = statuses;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("farm")
                .status(Files.isDirectory(models.dir()) && storeWatch.isAvailable() && source.problem().isEmpty()
                        && statuses.problem().isEmpty())
                .withData("modelsDir", models.dir().toString())
                .withData("models", models.models().size())
                .withData("loadedModel", loaded.first().orElse(""))
                .withData("loadedModels", String.join(",", loaded.byDevice().stream().map(name -> name.orElse("")).toList()))
                .withData("outputs", store.location());
        storeWatch.problem().ifPresent(problem -> response.withData("outputsProblem", problem));
        source.problem().ifPresent(problem -> response.withData("jobsProblem", problem));
        statuses.problem().ifPresent(problem -> response.withData("jobStatusProblem", problem));
        source.backlog().ifPresent(depth -> response.withData("queueDepth", depth));
        return response.build();
    }
}
