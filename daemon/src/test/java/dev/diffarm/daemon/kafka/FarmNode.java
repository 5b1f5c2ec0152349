package dev.diffarm.daemon.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import dev.diffarm.daemon.event.EventBroadcaster;
import dev.diffarm.daemon.job.FarmCancellation;
import dev.diffarm.daemon.job.FarmJobEnds;
import dev.diffarm.daemon.job.JobStatus;
import dev.diffarm.daemon.render.TaskRenderer;
import dev.diffarm.daemon.service.Worker;
import dev.diffarm.daemon.status.FarmJobStatuses;
import dev.diffarm.daemon.status.FarmJobs;
import dev.diffarm.daemon.status.JobCancels;
import dev.diffarm.daemon.status.NodeJobStatuses;
import dev.diffarm.farm.config.FarmSettings;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;

/**
 * A daemon of a Kafka farm as the daemon wires one, without Quarkus: the job flow of {@link KafkaFarm} (splitting jobs
 * of more than {@code chunkTasks} tasks), a view of the farm's jobs from the events topic that ends this node's runs
 * of jobs ended elsewhere ({@link FarmJobEnds}), what {@code GET /jobs/{id}} answers from, and what
 * {@code DELETE /jobs/{id}} does ({@link JobCancels}). Its worker is started with {@link #start()}.
 */
final class FarmNode implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new Jdk8Module());

    final KafkaFarm farm;
    final FarmJobStatuses statuses;
    final JobCancels cancels;
    private final KafkaJobView view;
    private final Worker worker;

    FarmNode(String name, FarmSettings.Topics topics, String group, Path outputs, Path models, TaskRenderer renderer,
             int chunkTasks) {
        farm = KafkaFarm.fanningOut(topics, group, outputs, models, renderer, chunkTasks);
        EventBroadcaster broadcaster = new EventBroadcaster(100, 2000);
        FarmJobs jobs = new FarmJobs(100, broadcaster);
        view = new KafkaJobView(KafkaJobView.consumerConfig(TestKafka.bootstrapServers(),
                group + "-view-" + UUID.randomUUID()), topics.events(), jobs, new FarmJobEnds(farm.registry));
        statuses = new FarmJobStatuses(jobs, new NodeJobStatuses(farm.registry, broadcaster), view);
        cancels = new JobCancels(statuses, farm.registry, farm.intake, new FarmCancellation(farm.store, farm.reporting));
        worker = farm.worker(name);
        view.start();
    }

    /** Starts taking jobs and chunks. */
    void start() {
        worker.start();
    }

    /** The job's state as {@code GET /jobs/{id}} answers it here; empty when it is not known. */
    Optional<String> state(String id) {
        return statuses.find(id).map(JobStatus::state);
    }

    /** {@code GET /jobs/{id}}'s body here. */
    String answer(String id) throws JsonProcessingException {
        return JSON.writeValueAsString(statuses.find(id).orElseThrow());
    }

    @Override
    public void close() {
        worker.close();
        view.close();
        farm.close();
    }
}
