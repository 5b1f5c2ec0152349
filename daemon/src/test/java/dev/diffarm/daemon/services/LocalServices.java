package dev.diffarm.daemon.services;

import dev.diffarm.farm.config.FarmSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real Kafka broker and S3 server of {@code scripts/services}, started once per test JVM on free ports in
 * {@code target/services} and stopped when the JVM ends. Integration tests take their settings from
 * {@link #get()}; a start that fails fails the test with the script's own message (never a skip).
 */
public final class LocalServices {
    private static final Pattern EXPORT = Pattern.compile("^export (\\w+)=(.*)$");
    private static LocalServices started;

    private final Path root;
    private final Map<String, String> scriptEnvironment;
    private final Map<String, String> clientEnvironment;

    private LocalServices(Path root, Map<String, String> scriptEnvironment, Map<String, String> clientEnvironment) {
        this.root = root;
        this.scriptEnvironment = scriptEnvironment;
        this.clientEnvironment = clientEnvironment;
    }

    /** The running services, started on the first call. */
    public static synchronized LocalServices get() {
        if (started == null) {
            started = start();
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "local-services-stop"));
        }
        return started;
    }

    /** {@code DIFFARM_KAFKA_BOOTSTRAP_SERVERS}, {@code DIFFARM_S3_*}: what the script printed. */
    public Map<String, String> environment() {
        return clientEnvironment;
    }

    /** The settings of a farm on these services, with its local folders under {@code home}. */
    public FarmSettings settings(Path home) {
        Map<String, String> variables = new HashMap<>(clientEnvironment);
        variables.put("HOME", home.toString());
        variables.put(FarmSettings.HOME, home.toString());
        return FarmSettings.from(variables);
    }

    public String kafkaBootstrapServers() {
        return clientEnvironment.get(FarmSettings.KAFKA_BOOTSTRAP_SERVERS);
    }

    /**
     * Services of the caller's own in {@code target/services-NAME}, for a test that stops and starts them
     * ({@link #stopAll}, {@link #startAgain}: same ports, same data); the caller stops them at the end.
     */
    public static LocalServices startPrivate(String name) {
        return start("daemon/target/services-" + name);
    }

    /** Stops the broker and the S3 server; their data stays for {@link #startAgain}. */
    public void stopAll() {
        run(root, scriptEnvironment, "stop");
    }

    /** Starts them again on the same ports with the same data. */
    public void startAgain() {
        run(root, scriptEnvironment, "start");
    }

    private static LocalServices start() {
        return start("daemon/target/services");
    }

    private static LocalServices start(String servicesDir) {
        Path root = repositoryRoot();
        Map<String, String> environment = new LinkedHashMap<>();
        // A broker starting on a busy 2-core machine has been seen to need over a minute (the script's default).
        environment.put("DIFFARM_SERVICES_WAIT", "240");
        int[] ports = freePorts(3);
        environment.put("DIFFARM_KAFKA_PORT", Integer.toString(ports[0]));
        environment.put("DIFFARM_KAFKA_CONTROLLER_PORT", Integer.toString(ports[1]));
        environment.put("DIFFARM_S3_PORT", Integer.toString(ports[2]));
        environment.put("DIFFARM_SERVICES_DIR", root.resolve(servicesDir).toString());
        // Services left by a killed test JVM listen on other ports: stop them before starting afresh.
        run(root, environment, "stop");
        String exports = run(root, environment, "start");
        Map<String, String> client = new LinkedHashMap<>();
        for (String line : exports.split("\n")) {
            Matcher matcher = EXPORT.matcher(line.strip());
            if (matcher.matches()) {
                client.put(matcher.group(1), matcher.group(2));
            }
        }
        if (!client.containsKey(FarmSettings.KAFKA_BOOTSTRAP_SERVERS) || !client.containsKey(FarmSettings.S3_ENDPOINT)) {
            throw new IllegalStateException("scripts/services start printed no client environment: " + exports);
        }
        System.out.println("[local-services] Kafka " + client.get(FarmSettings.KAFKA_BOOTSTRAP_SERVERS) + ", S3 "
                + client.get(FarmSettings.S3_ENDPOINT) + " (state in " + environment.get("DIFFARM_SERVICES_DIR") + ")");
        return new LocalServices(root, environment, Map.copyOf(client));
    }

    private void stop() {
        try {
            run(root, scriptEnvironment, "stop");
        } catch (RuntimeException e) {
            System.err.println("[local-services] stopping failed: " + e.getMessage());
        }
    }

    private static String run(Path root, Map<String, String> environment, String command) {
        ProcessBuilder builder = new ProcessBuilder(List.of(root.resolve("scripts/services").toString(), command));
        builder.environment().putAll(environment);
        builder.directory(root.toFile());
        try {
            Path errors = Files.createTempFile("services-" + command, ".log");
            try {
                builder.redirectError(errors.toFile());
                Process process = builder.start();
                String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(5, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    throw new IllegalStateException("scripts/services " + command + " took over 5 minutes");
                }
                String log = Files.readString(errors);
                if (process.exitValue() != 0) {
                    throw new IllegalStateException("scripts/services " + command + " exited with "
                            + process.exitValue() + ":\n" + log);
                }
                return out;
            } finally {
                Files.deleteIfExists(errors);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run scripts/services " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running scripts/services " + command, e);
        }
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path candidate = dir; candidate != null; candidate = candidate.getParent()) {
            if (Files.isExecutable(candidate.resolve("scripts/services"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no scripts/services above " + dir);
    }

    /** Distinct ports free now: all are held open together, so none is handed out twice. */
    private static int[] freePorts(int count) {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("no free ports on 127.0.0.1", e);
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    try {
                        socket.close();
                    } catch (IOException ignored) {
                        // the port is released either way
                    }
                }
            }
        }
    }
}
