package dev.diffarm.daemon.service;

import dev.diffarm.farm.config.FarmSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
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

    interface Kafka {
        /** {@value FarmSettings#KAFKA_BOOTSTRAP_SERVERS}. */
        Optional<String> bootstrapServers();
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
        kafka().bootstrapServers().ifPresent(value -> variables.put(FarmSettings.KAFKA_BOOTSTRAP_SERVERS, value));
        s3().endpoint().ifPresent(value -> variables.put(FarmSettings.S3_ENDPOINT, value));
        s3().accessKey().ifPresent(value -> variables.put(FarmSettings.S3_ACCESS_KEY, value));
        s3().secretKey().ifPresent(value -> variables.put(FarmSettings.S3_SECRET_KEY, value));
        s3().bucket().ifPresent(value -> variables.put(FarmSettings.S3_BUCKET, value));
        return FarmSettings.from(variables);
    }
}
