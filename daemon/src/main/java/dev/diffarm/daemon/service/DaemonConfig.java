package dev.diffarm.daemon.service;

import dev.diffarm.daemon.job.IntakePolicy;
import dev.diffarm.daemon.job.JobLifecycle;
import dev.diffarm.daemon.job.NodeBudget;
import dev.diffarm.daemon.kafka.KafkaSecurity;
import dev.diffarm.daemon.render.StoreBackedCatalog;
import dev.diffarm.daemon.s3.S3Transport;
import dev.diffarm.daemon.security.SecretFiles;
import dev.diffarm.engine.device.Precision;
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

    /** {@value FarmSettings#CONTROLNETS_DIR}: the ControlNets a job's {@code controlnets} units name. */
    Optional<String> controlnetsDir();

    /** {@value FarmSettings#UPSCALERS_DIR}: the upscaler models an upscale job's or a hires pass's upscaler names. */
    Optional<String> upscalersDir();

    Kafka kafka();

    // Workers and devices (issue 13).
    /** {@value WorkerDevices#SETTING}: the devices of this node's workers, such as {@code cuda:0,cuda:1}; unset, every GPU
     * DJL sees, else one {@code cpu}. */
    Optional<String> devices();

    /** {@code DIFFARM_PRECISION}: what the workers' models compute in, {@code fp32}, {@code fp16} or {@code auto} (fp16
     * on a GPU, fp32 on the CPU); the VAE and the sampler stay float32. Unset: auto. */
    @WithDefault(Precision.AUTO)
    String precision();

    /** {@value StoreBackedCatalog#MAX_BYTES_SETTING}: the most the models, LoRAs, embeddings, ControlNets and upscaler
     * models fetched from the store may take on this node's disk; the least recently used one that no worker uses makes
     * room. */
    @WithDefault("" + StoreBackedCatalog.DEFAULT_MAX_BYTES)
    long cacheMaxBytes();

    /** {@value dev.diffarm.daemon.render.ModelCache#BUDGET_SETTING}: the most the models, ControlNets and upscaler
     * networks one worker keeps loaded may take together, estimated from their weight files; what was used longest ago
     * and is not in use is freed to make room, whatever its kind. Unset: a quarter of this machine's memory shared by
     * the workers. */
    Optional<Long> modelCacheBytes();

    /** {@value dev.diffarm.daemon.render.LocalPublisher#SETTING}: whether this node uploads the models, LoRAs, embeddings
     * and upscalers of its own folders that the shared S3 store lacks, so that every node can render them; false on a
     * node that must not upload. Without S3 nothing is published (the local store is this node's alone). */
    @WithDefault("true")
    boolean publishLocal();

    S3 s3();

    /** Most {@code progress} events per second and job, besides each task's last step. */
    @WithDefault("4")
    double progressEventsPerSecond();

    /**
     * {@code DIFFARM_BATCH_SIZE}: how many txt2img tasks that share model, size, sampler, schedule, steps, guidance on
     * or off and LoRAs render as one UNet batch (each still its own image, stored and reported as one task), of one job
     * or of several: a batch its job cannot fill takes tasks of the small jobs waiting for the worker
     * ({@link dev.diffarm.daemon.job.BatchCompanions}); 1 to 64, 1 renders each task alone. 1 by default: on a CPU a batch of 4 gained nothing over one image at a
     * time (libtorch keeps the cores busy with one); a GPU is where it pays: measure with {@code scripts/bench-batching}.
     */
    @WithDefault("1")
    int batchSize();

    /**
     * {@code DIFFARM_CHUNK_TASKS}: on a farm (Kafka), a render job or campaign of more tasks than this is split into
     * chunks of this many tasks that every daemon of the group takes (fan-out); 0 never splits. 16 by default: a
     * chunk of tiny tasks is not worth a record, and a campaign of hundreds spreads over the group.
     */
    @WithDefault("16")
    int chunkTasks();

    /**
     * {@code DIFFARM_RETAINED_JOBS}: finished jobs that {@code GET /jobs/{id}} still knows. On a Kafka farm also the
     * jobs of the whole farm that each node's view of the events topic keeps (the latest, those that ended forgotten
     * first).
     */
    @WithDefault("1000")
    int retainedJobs();

    /**
     * {@code DIFFARM_RETAINED_EVENTS_PER_JOB}: events per job that {@code GET /jobs/{id}/events} replays to a late
     * subscriber (on a Kafka farm, of every node's jobs).
     */
    @WithDefault("2000")
    int retainedEventsPerJob();

    /**
     * {@code DIFFARM_API_KEYS_FILE}: the keys that may call the daemon, lines of
     * {@code <tenant> <role>[,<role>...] <sha256 hex of the key>}; without it, callers on this machine act as tenant
     * {@code local} with every role, and the daemon refuses to listen beyond this machine.
     */
    Optional<String> apiKeysFile();

    /** Bearer JWTs, verified offline beside the API keys: on when {@code DIFFARM_JWT_PUBLIC_KEY} is set. */
    Jwt jwt();

    interface Jwt {
        /** {@code DIFFARM_JWT_PUBLIC_KEY}: a PEM file ({@code BEGIN PUBLIC KEY}) of the RSA, EC or Ed25519 key that signs
         * every accepted token; unset, no JWT is accepted. */
        Optional<String> publicKey();

        /** {@code DIFFARM_JWT_ISSUER}: the {@code iss} every token must name; required with the key. */
        Optional<String> issuer();

        /** {@code DIFFARM_JWT_AUDIENCE}: when set, a token's {@code aud} must be or contain it. */
        Optional<String> audience();

        /** {@code DIFFARM_JWT_TENANT_CLAIM}: the claim that names the caller's tenant. */
        @WithDefault("tenant")
        String tenantClaim();

        /** {@code DIFFARM_JWT_CLOCK_SKEW}: how far this node's clock and the issuer's may disagree on {@code exp}, {@code nbf}. */
        @WithDefault("PT30S")
        Duration clockSkew();
    }

    /**
     * {@code DIFFARM_MAX_JOB_BYTES}: the largest job, as submitted and with its defaults written out; larger ones are
     * refused (413 over REST, a dead letter from a queue). Keep it under Kafka's record limit (1 MiB by default).
     */
    @WithDefault("" + IntakePolicy.DEFAULT_MAX_JOB_BYTES)
    int maxJobBytes();

    /**
     * {@code DIFFARM_TASK_TIMEOUT}: how long one task (an image, a merge, a training run) may run; past it the task
     * stops at its next step and its job fails with {@code task-timeout}, and the worker takes the next job.
     */
    @WithDefault(JobLifecycle.DEFAULT_TASK_TIMEOUT)
    Duration taskTimeout();

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

        /** {@value KafkaSecurity#PROTOCOL}: PLAINTEXT (default), SSL, SASL_PLAINTEXT or SASL_SSL. */
        Optional<String> securityProtocol();

        /** {@value KafkaSecurity#MECHANISM}: SCRAM-SHA-256, SCRAM-SHA-512, PLAIN or OAUTHBEARER. */
        Optional<String> saslMechanism();

        /** {@value KafkaSecurity#JAAS_FILE}: a file holding the whole {@code sasl.jaas.config}. */
        Optional<String> saslJaasConfigFile();

        /** {@value KafkaSecurity#USERNAME}: with {@value KafkaSecurity#PASSWORD_FILE}, instead of a JAAS file. */
        Optional<String> saslUsername();

        /** {@value KafkaSecurity#PASSWORD_FILE}: a file holding the SASL password. */
        Optional<String> saslPasswordFile();

        /** {@value KafkaSecurity#TOKEN_ENDPOINT}: where OAUTHBEARER fetches its tokens (client credentials). */
        Optional<String> saslOauthbearerTokenEndpointUrl();

        /** {@value KafkaSecurity#TRUSTSTORE}: the brokers' CA (PKCS12, JKS or PEM; see the type). */
        Optional<String> sslTruststoreLocation();

        /** {@value KafkaSecurity#TRUSTSTORE_PASSWORD_FILE}: a file holding the truststore's password. */
        Optional<String> sslTruststorePasswordFile();

        /** {@value KafkaSecurity#TRUSTSTORE_TYPE}: Kafka's default (JKS) when unset. */
        Optional<String> sslTruststoreType();

        /** {@value KafkaSecurity#KEYSTORE}: this client's certificate and key, for mutual TLS. */
        Optional<String> sslKeystoreLocation();

        /** {@value KafkaSecurity#KEYSTORE_PASSWORD_FILE}: a file holding the keystore's password. */
        Optional<String> sslKeystorePasswordFile();

        /** {@value KafkaSecurity#KEYSTORE_TYPE}: Kafka's default (JKS) when unset. */
        Optional<String> sslKeystoreType();

        /** These settings for {@link KafkaSecurity#of}. */
        default KafkaSecurity.Settings security() {
            return new KafkaSecurity.Settings(securityProtocol(), saslMechanism(), saslJaasConfigFile(), saslUsername(),
                    saslPasswordFile(), saslOauthbearerTokenEndpointUrl(), sslTruststoreLocation(),
                    sslTruststorePasswordFile(), sslTruststoreType(), sslKeystoreLocation(), sslKeystorePasswordFile(),
                    sslKeystoreType());
        }
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

        /** {@code DIFFARM_S3_SECRET_KEY_FILE}: a file holding the secret key, instead of {@value FarmSettings#S3_SECRET_KEY}. */
        Optional<String> secretKeyFile();

        /** {@value S3Transport#REGION_SETTING}: the region requests are signed for. */
        @WithDefault(S3Transport.DEFAULT_REGION)
        String region();

        /** {@value S3Transport#CA_SETTING}: PEM certificates of the CA an {@code https} endpoint's certificate chains to. */
        Optional<String> caFile();

        /** The region and TLS trust of these settings. */
        default S3Transport transport() {
            return new S3Transport(region(), caFile().filter(name -> !name.isBlank()).map(java.nio.file.Path::of));
        }
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
        controlnetsDir().ifPresent(value -> variables.put(FarmSettings.CONTROLNETS_DIR, value));
        upscalersDir().ifPresent(value -> variables.put(FarmSettings.UPSCALERS_DIR, value));
        kafka().bootstrapServers().ifPresent(value -> variables.put(FarmSettings.KAFKA_BOOTSTRAP_SERVERS, value));
        s3().endpoint().ifPresent(value -> variables.put(FarmSettings.S3_ENDPOINT, value));
        s3().accessKey().ifPresent(value -> variables.put(FarmSettings.S3_ACCESS_KEY, value));
        s3().secretKey().ifPresent(value -> variables.put(FarmSettings.S3_SECRET_KEY, value));
        s3().secretKeyFile().filter(name -> !name.isBlank())
                .ifPresent(file -> variables.put(FarmSettings.S3_SECRET_KEY, SecretFiles.read("DIFFARM_S3_SECRET_KEY_FILE", file)));
        s3().bucket().ifPresent(value -> variables.put(FarmSettings.S3_BUCKET, value));
        return FarmSettings.from(variables);
    }
}
