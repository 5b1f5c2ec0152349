package dev.diffarm.daemon.service;

import dev.diffarm.daemon.job.IntakePolicy;
import dev.diffarm.daemon.job.NodeBudget;
import dev.diffarm.farm.config.FarmSettings;
import dev.diffarm.farm.config.Limits;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The daemon's configuration, from {@code application.properties}, system properties or the environment:
 * {@code diffarm.models-dir} is also {@code DIFFARM_MODELS_DIR}, {@code diffarm.s3.access-key} also
 * {@code DIFFARM_S3_ACCESS_KEY}, and so on for every variable {@link FarmSettings} reads, which checks
 * them and applies its defaults.
 */
@ConfigMapping(prefix = "diffarm")
public interface DaemonConfig {
    /** {@value FarmSettings#HOME}: the base of the default folders. */
    Optional<String> home();

    /** {@value FarmSettings#MODELS_DIR}. */
    Optional<String> modelsDir();

    /** {@value FarmSettings#PLUGINS_DIR}. */
    Optional<String> pluginsDir();

    /** {@value FarmSettings#LORA_DIR}. */
    Optional<String> loraDir();

    /** {@value FarmSettings#EMBEDDINGS_DIR}. */
    Optional<String> embeddingsDir();

    /** {@value FarmSettings#DATASETS_DIR}: the folders train jobs name as their {@code dataset}. */
    Optional<String> datasetsDir();

    /** {@value FarmSettings#LOCAL_DIR}: the embedded queue, outputs and events. */
    Optional<String> localDir();

    Kafka kafka();

    S3 s3();

    /** Most {@code progress} events per second and job, besides each task's last step. */
    @WithDefault("4")
    double progressEventsPerSecond();

    /** Finished jobs that {@code GET /jobs/{id}} still knows. */
    @WithDefault("1000")
    int retainedJobs();

    /** Events per job that {@code GET /jobs/{id}/events} replays to a late subscriber. */
    @WithDefault("2000")
    int retainedEventsPerJob();

    /**
     * {@code DIFFARM_API_KEYS_FILE}: the keys that may call the daemon, lines of
     * {@code <tenant> <role>[,<role>...] <sha256 hex of the key>}; without it, callers on this machine act as tenant
     * {@code local} with every role, and the daemon refuses to listen beyond this machine.
     */
    Optional<String> apiKeysFile();

    /**
     * {@code DIFFARM_MAX_JOB_BYTES}: the largest job, as submitted and with its defaults written out; larger ones are
     * refused (413 over REST, a dead letter from a queue). Keep it under Kafka's record limit (1 MiB by default).
     */
    @WithDefault("" + IntakePolicy.DEFAULT_MAX_JOB_BYTES)
    int maxJobBytes();

    /** What one tenant may have queued or running at once; a REST submission beyond it is answered 429. */
    Quota quota();

    /** What one image may cost this node: a job with an image beyond it is rejected at intake. */
    Admit admit();

    interface Admit {
        /** {@code DIFFARM_ADMIT_MAX_TASK_MEMORY_BYTES}: the most memory an image may be estimated to need; by default
         * half of this machine's memory. */
        Optional<Long> maxTaskMemoryBytes();

        /** {@code DIFFARM_ADMIT_MAX_TASK_MEGAPIXEL_STEPS}: the most megapixels x steps of one image. */
        @WithDefault("" + NodeBudget.DEFAULT_MAX_TASK_MEGAPIXEL_STEPS)
        double maxTaskMegapixelSteps();

        /** The budget these settings give. */
        default NodeBudget budget() {
            return new NodeBudget(maxTaskMemoryBytes().orElseGet(NodeBudget::halfOfMemory), maxTaskMegapixelSteps());
        }
    }

    /** How fast one tenant may submit over REST; a submission beyond it is answered 429 with {@code Retry-After}. */
    Rate rate();

    /** The event streams ({@code GET /jobs/{id}/events}) one tenant may hold. */
    Sse sse();

    interface Rate {
        /** {@code DIFFARM_RATE_SUBMISSIONS_PER_SECOND}: submissions, valid or not, a tenant may sustain. */
        @WithDefault("10")
        double submissionsPerSecond();

        /** {@code DIFFARM_RATE_SUBMISSION_BURST}: submissions a tenant that was quiet may send at once. */
        @WithDefault("100")
        int submissionBurst();
    }

    interface Sse {
        /** {@code DIFFARM_SSE_STREAMS_PER_TENANT}: most event streams open at once; one more is answered 429. */
        @WithDefault("32")
        int streamsPerTenant();

        /** {@code DIFFARM_SSE_IDLE_TIMEOUT}: a stream that has sent nothing this long is closed (the client may reopen
         * it: the job's events are replayed). */
        @WithDefault("PT10M")
        Duration idleTimeout();
    }

    interface Quota {
        /** {@code DIFFARM_QUOTA_ACTIVE_JOBS}: most jobs queued or running. */
        @WithDefault("100")
        int activeJobs();

        /** {@code DIFFARM_QUOTA_TASKS_PER_JOB}: most tasks in one job. */
        @WithDefault("" + Limits.MAX_TASKS)
        int tasksPerJob();

        /** {@code DIFFARM_QUOTA_QUEUED_TASKS}: most tasks of its queued and running jobs together. */
        @WithDefault("100000")
        int queuedTasks();
    }

    interface Kafka {
        /** {@value FarmSettings#KAFKA_BOOTSTRAP_SERVERS}. */
        Optional<String> bootstrapServers();

        /**
         * {@code DIFFARM_KAFKA_TRUST_TENANT_HEADER}: whether a job record's {@code diffarm-tenant} header says whose
         * job it is. Set it only where every producer to the jobs topic is trusted (its ACLs allow no one else);
         * otherwise every Kafka job belongs to tenant {@code local}.
         */
        @WithDefault("false")
        boolean trustTenantHeader();
    }

    interface S3 {
        /** {@value FarmSettings#S3_ENDPOINT}. */
        Optional<String> endpoint();

        /** {@value FarmSettings#S3_ACCESS_KEY}. */
        Optional<String> accessKey();

        /** {@value FarmSettings#S3_SECRET_KEY}. */
        Optional<String> secretKey();

        /** {@value FarmSettings#S3_BUCKET}. */
        Optional<String> bucket();
    }

    /**
     * The farm's settings from this configuration.
     *
     * @param userHome the user's home folder, the base of {@code ~/.diffarm}
     * @throws IllegalArgumentException naming every unusable value
     */
    default FarmSettings farmSettings(String userHome) {
        Map<String, String> variables = new HashMap<>();
        variables.put("HOME", userHome);
        home().ifPresent(value -> variables.put(FarmSettings.HOME, value));
        modelsDir().ifPresent(value -> variables.put(FarmSettings.MODELS_DIR, value));
        pluginsDir().ifPresent(value -> variables.put(FarmSettings.PLUGINS_DIR, value));
        loraDir().ifPresent(value -> variables.put(FarmSettings.LORA_DIR, value));
        embeddingsDir().ifPresent(value -> variables.put(FarmSettings.EMBEDDINGS_DIR, value));
        localDir().ifPresent(value -> variables.put(FarmSettings.LOCAL_DIR, value));
        datasetsDir().ifPresent(value -> variables.put(FarmSettings.DATASETS_DIR, value));
        kafka().bootstrapServers().ifPresent(value -> variables.put(FarmSettings.KAFKA_BOOTSTRAP_SERVERS, value));
        s3().endpoint().ifPresent(value -> variables.put(FarmSettings.S3_ENDPOINT, value));
        s3().accessKey().ifPresent(value -> variables.put(FarmSettings.S3_ACCESS_KEY, value));
        s3().secretKey().ifPresent(value -> variables.put(FarmSettings.S3_SECRET_KEY, value));
        s3().bucket().ifPresent(value -> variables.put(FarmSettings.S3_BUCKET, value));
        return FarmSettings.from(variables);
    }
}
