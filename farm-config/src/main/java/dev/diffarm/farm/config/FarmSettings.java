package dev.diffarm.farm.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where the farm takes jobs from, where it stores images, and where its models, plugins, LoRAs and embeddings lie,
 * read from
 * environment variables:
 * <table>
 *   <caption>Variables</caption>
 *   <tr><th>variable</th><th>meaning</th><th>when unset</th></tr>
 *   <tr><td>{@value #KAFKA_BOOTSTRAP_SERVERS}</td><td>Kafka brokers, {@code host:port[,host:port...]}</td>
 *       <td>jobs come from a local queue folder</td></tr>
 *   <tr><td>{@value #S3_ENDPOINT}</td><td>an S3-compatible endpoint, {@code http(s)://host[:port]}</td>
 *       <td>images go to a local folder</td></tr>
 *   <tr><td>{@value #S3_ACCESS_KEY}, {@value #S3_SECRET_KEY}</td><td>S3 credentials</td>
 *       <td>required with an endpoint</td></tr>
 *   <tr><td>{@value #S3_BUCKET}</td><td>the bucket (created if absent)</td><td>{@value #DEFAULT_BUCKET}</td></tr>
 *   <tr><td>{@value #MODELS_DIR}</td><td>models: a model's name is its file or folder name there</td>
 *       <td>{@code <home>/models}</td></tr>
 *   <tr><td>{@value #PLUGINS_DIR}</td><td>plugin jars</td><td>{@code <home>/plugins}</td></tr>
 *   <tr><td>{@value #LORA_DIR}</td><td>LoRAs: a job's LoRA {@code name} is the file {@code name.safetensors}
 *       there</td><td>{@code <home>/loras}</td></tr>
 *   <tr><td>{@value #EMBEDDINGS_DIR}</td><td>textual-inversion embeddings ({@code .safetensors}, {@code .pt},
 *       {@code .bin}, subfolders included), triggered by their names in prompts</td><td>{@code <home>/embeddings}</td></tr>
 *   <tr><td>{@value #UPSCALERS_DIR}</td><td>upscaler models (ESRGAN-class {@code .safetensors} or {@code .pth}): an
 *       upscale job's {@code upscaler} is a file's name there without its extension</td>
 *       <td>{@code <home>/upscalers}</td></tr>
 *   <tr><td>{@value #CONTROLNETS_DIR}</td><td>ControlNet models ({@code .safetensors} in the original layout, or
 *       diffusers folders): a ControlNet unit's {@code model} is a file's name there without its extension, or a
 *       folder's</td><td>{@code <home>/controlnet}</td></tr>
 *   <tr><td>{@value #DATASETS_DIR}</td><td>training datasets: a train job's {@code dataset} is the name of a folder
 *       there (or {@code store:} and a prefix of the store)</td><td>{@code <home>/datasets}</td></tr>
 *   <tr><td>{@value #LOCAL_DIR}</td><td>the embedded queue ({@code queue/}) and output ({@code outputs/})
 *       folders</td><td>{@code <home>/local}</td></tr>
 *   <tr><td>{@value #HOME}</td><td>{@code <home>}, the base of the defaults above</td>
 *       <td>{@code ~/.diffarm}</td></tr>
 * </table>
 * A variable set to an empty string counts as unset. Kafka and S3 are independent: with neither, the farm
 * runs on its embedded defaults alone ({@link #isEmbedded()}). S3 variables without {@value #S3_ENDPOINT}
 * are refused rather than ignored, as a misspelt endpoint variable would otherwise silently store images
 * locally.
 *
 * @param kafka         the Kafka intake; empty for the local queue
 * @param s3            the S3 store; empty for the local output folder
 * @param topics        the Kafka topics
 * @param modelsDir     where models lie
 * @param pluginsDir    where plugin jars lie
 * @param loraDir       where LoRA files lie
 * @param embeddingsDir where textual-inversion embeddings lie
 * @param localDir      the embedded defaults' folder
 * @param datasetsDir   the root of the training datasets
 * @param upscalersDir  where upscaler models lie
 * @param controlnetsDir where ControlNet models lie
 */
public record FarmSettings(Optional<Kafka> kafka, Optional<S3> s3, Topics topics, Path modelsDir, Path pluginsDir,
                           Path loraDir, Path embeddingsDir, Path localDir, Path datasetsDir, Path upscalersDir,
                           Path controlnetsDir) {
    public static final String KAFKA_BOOTSTRAP_SERVERS = "DIFFARM_KAFKA_BOOTSTRAP_SERVERS";
    public static final String S3_ENDPOINT = "DIFFARM_S3_ENDPOINT";
    public static final String S3_ACCESS_KEY = "DIFFARM_S3_ACCESS_KEY";
    public static final String S3_SECRET_KEY = "DIFFARM_S3_SECRET_KEY";
    public static final String S3_BUCKET = "DIFFARM_S3_BUCKET";
    public static final String MODELS_DIR = "DIFFARM_MODELS_DIR";
    public static final String PLUGINS_DIR = "DIFFARM_PLUGINS_DIR";
    public static final String LORA_DIR = "DIFFARM_LORA_DIR";
    public static final String UPSCALERS_DIR = "DIFFARM_UPSCALERS_DIR";
    public static final String CONTROLNETS_DIR = "DIFFARM_CONTROLNETS_DIR";
    public static final String EMBEDDINGS_DIR = "DIFFARM_EMBEDDINGS_DIR";
    public static final String LOCAL_DIR = "DIFFARM_LOCAL_DIR";
    public static final String DATASETS_DIR = "DIFFARM_DATASETS_DIR";
    public static final String HOME = "DIFFARM_HOME";
    /** The bucket when {@value #S3_BUCKET} is unset. */
    public static final String DEFAULT_BUCKET = "diffarm";

    private static final Pattern HOST_PORT = Pattern.compile("[^\\s:,]+:(\\d{1,5})");
    /** S3's bucket naming rules: 3-63 lower-case letters, digits, '.' and '-', starting and ending alphanumeric. */
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    public FarmSettings {
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(s3, "s3");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(modelsDir, "modelsDir");
        Objects.requireNonNull(pluginsDir, "pluginsDir");
        Objects.requireNonNull(loraDir, "loraDir");
        Objects.requireNonNull(embeddingsDir, "embeddingsDir");
        Objects.requireNonNull(localDir, "localDir");
        Objects.requireNonNull(datasetsDir, "datasetsDir");
        Objects.requireNonNull(controlnetsDir, "controlnetsDir");
    }

    /**
     * Kafka brokers to take jobs from and report events to.
     *
     * @param bootstrapServers {@code host:port[,host:port...]}
     */
    public record Kafka(String bootstrapServers) {
        public Kafka {
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        }
    }

    /**
     * An S3-compatible store (MinIO, AWS S3, ...). {@link #toString()} hides the secret key.
     *
     * @param endpoint  {@code http(s)://host[:port]}, addressed path-style
     * @param accessKey the access key
     * @param secretKey the secret key
     * @param bucket    the bucket
     */
    public record S3(URI endpoint, String accessKey, String secretKey, String bucket) {
        public S3 {
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(accessKey, "accessKey");
            Objects.requireNonNull(secretKey, "secretKey");
            Objects.requireNonNull(bucket, "bucket");
        }

        @Override
        public String toString() {
            return "S3[endpoint=" + endpoint + ", accessKey=" + accessKey + ", secretKey=***, bucket=" + bucket + "]";
        }
    }

    /**
     * The Kafka topics.
     *
     * @param jobs        jobs to render, keyed by job id
     * @param events      the farm's events ({@link JobEvent}), keyed by job id
     * @param deadLetters submissions that are not JSON or not a job, with the reason in a header
     * @param chunks      the parts of large jobs that daemons split for the whole group (fan-out): a chunk of tasks
     *                    keyed {@code <jobId>/<chunk>}, or the job's finalize record keyed {@code <jobId>}
     */
    public record Topics(String jobs, String events, String deadLetters, String chunks) {
        /** {@code diffarm.jobs}, {@code diffarm.events}, {@code diffarm.jobs.dlq}, {@code diffarm.chunks}. */
        public static final Topics DEFAULT = new Topics("diffarm.jobs", "diffarm.events", "diffarm.jobs.dlq",
                "diffarm.chunks");

        public Topics {
            Objects.requireNonNull(jobs, "jobs");
            Objects.requireNonNull(events, "events");
            Objects.requireNonNull(deadLetters, "deadLetters");
            Objects.requireNonNull(chunks, "chunks");
        }
    }

    /** The settings from this process's environment. */
    public static FarmSettings fromEnvironment() {
        return from(System.getenv());
    }

    /**
     * The settings from {@code environment}, a map of variable names to values ({@code HOME} in it, else the
     * {@code user.home} property, is the user's home folder).
     *
     * @throws IllegalArgumentException naming every variable whose value is not usable, with the value
     *                                  (secrets excepted) and what was expected
     */
    public static FarmSettings from(Map<String, String> environment) {
        List<String> problems = new ArrayList<>();
        Variables variables = new Variables(environment);
        Optional<Kafka> kafka = variables.get(KAFKA_BOOTSTRAP_SERVERS).map(servers -> {
            checkServers(servers, problems);
            return new Kafka(servers);
        });
        Optional<S3> s3 = readS3(variables, problems);
        Path home = variables.path(HOME, problems).orElseGet(() -> userHome(environment).resolve(".diffarm"));
        Path models = variables.path(MODELS_DIR, problems).orElse(home.resolve("models"));
        Path plugins = variables.path(PLUGINS_DIR, problems).orElse(home.resolve("plugins"));
        Path loras = variables.path(LORA_DIR, problems).orElse(home.resolve("loras"));
        Path embeddings = variables.path(EMBEDDINGS_DIR, problems).orElse(home.resolve("embeddings"));
        Path local = variables.path(LOCAL_DIR, problems).orElse(home.resolve("local"));
        Path datasets = variables.path(DATASETS_DIR, problems).orElse(home.resolve("datasets"));
        Path upscalers = variables.path(UPSCALERS_DIR, problems).orElse(home.resolve("upscalers"));
        Path controlnets = variables.path(CONTROLNETS_DIR, problems).orElse(home.resolve("controlnet"));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
        return new FarmSettings(kafka, s3, Topics.DEFAULT, models, plugins, loras, embeddings, local, datasets,
                upscalers, controlnets);
    }

    /** Whether neither Kafka nor S3 is configured: the farm runs on its local queue and folder alone. */
    public boolean isEmbedded() {
        return kafka.isEmpty() && s3.isEmpty();
    }

    /** The embedded queue: job files dropped here are taken in as from Kafka. */
    public Path localQueueDir() {
        return localDir.resolve("queue");
    }

    /** The embedded store: objects are written here under their keys ({@code jobs/<id>/...}). */
    public Path localOutputDir() {
        return localDir.resolve("outputs");
    }

    private static Optional<S3> readS3(Variables variables, List<String> problems) {
        Optional<String> endpoint = variables.get(S3_ENDPOINT);
        Optional<String> accessKey = variables.get(S3_ACCESS_KEY);
        Optional<String> secretKey = variables.get(S3_SECRET_KEY);
        Optional<String> bucket = variables.get(S3_BUCKET);
        if (endpoint.isEmpty()) {
            for (String name : List.of(S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET)) {
                if (variables.get(name).isPresent()) {
                    problems.add(name + " is set but " + S3_ENDPOINT + " is not: expected " + S3_ENDPOINT
                            + " too, or neither for the local output folder");
                }
            }
            return Optional.empty();
        }
        Optional<URI> uri = endpointUri(endpoint.get(), problems);
        if (accessKey.isEmpty()) {
            problems.add(S3_ACCESS_KEY + " is missing: expected the access key of " + S3_ENDPOINT);
        }
        if (secretKey.isEmpty()) {
            problems.add(S3_SECRET_KEY + " is missing: expected the secret key of " + S3_ENDPOINT);
        }
        String bucketName = bucket.orElse(DEFAULT_BUCKET);
        if (!BUCKET.matcher(bucketName).matches()) {
            problems.add(S3_BUCKET + " = \"" + bucketName + "\": expected an S3 bucket name, 3 to 63 lower-case "
                    + "letters, digits, '.' or '-', starting and ending with a letter or digit");
        }
        if (uri.isEmpty() || accessKey.isEmpty() || secretKey.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new S3(uri.get(), accessKey.get(), secretKey.get(), bucketName));
    }

    private static Optional<URI> endpointUri(String endpoint, List<String> problems) {
        try {
            URI uri = new URI(endpoint);
            // S3 clients address buckets from the server's root: a path, query or user part would be lost.
            boolean root = uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/");
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null && root
                    && uri.getRawUserInfo() == null && uri.getRawQuery() == null && uri.getRawFragment() == null) {
                return Optional.of(uri);
            }
        } catch (URISyntaxException notAUri) {
            // reported below, like any other value that is no http(s) URL
        }
        problems.add(S3_ENDPOINT + " = \"" + endpoint + "\": expected http://host[:port] or https://host[:port], "
                + "such as http://127.0.0.1:9000");
        return Optional.empty();
    }

    private static void checkServers(String servers, List<String> problems) {
        boolean valid = Arrays.stream(servers.split(",", -1)).map(String::strip).allMatch(server -> {
            var match = HOST_PORT.matcher(server);
            return match.matches() && Integer.parseInt(match.group(1)) >= 1 && Integer.parseInt(match.group(1)) <= 65535;
        });
        if (!valid) {
            problems.add(KAFKA_BOOTSTRAP_SERVERS + " = \"" + servers + "\": expected host:port[,host:port...], "
                    + "such as 127.0.0.1:9092");
        }
    }

    private static Path userHome(Map<String, String> environment) {
        String home = environment.get("HOME");
        return Path.of(home == null || home.isBlank() ? System.getProperty("user.home") : home);
    }

    /** Environment variables, an empty value counting as unset. */
    private record Variables(Map<String, String> environment) {
        Optional<String> get(String name) {
            return Optional.ofNullable(environment.get(name)).map(String::strip).filter(value -> !value.isEmpty());
        }

        Optional<Path> path(String name, List<String> problems) {
            return get(name).flatMap(value -> {
                try {
                    return Optional.of(Path.of(value));
                } catch (InvalidPathException e) {
                    problems.add(name + " = \"" + value + "\": expected a folder path (" + e.getReason() + ")");
                    return Optional.empty();
                }
            });
        }
    }
}
