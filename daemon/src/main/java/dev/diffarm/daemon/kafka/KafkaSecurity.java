package dev.diffarm.daemon.kafka;

import dev.diffarm.daemon.security.SecretFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.types.Password;

/**
 * How the daemon's Kafka clients authenticate and encrypt: TLS (a truststore for the brokers' CA, a keystore for
 * mutual TLS) and SASL (SCRAM-SHA-256/512, PLAIN, OAUTHBEARER). Every secret (the JAAS configuration, a password)
 * comes from a file, never from a setting's value: a file can be a mounted Kubernetes secret, and a setting's
 * value is printed by too many tools. Secrets are handed to the clients as Kafka {@link Password}s, which Kafka's
 * own configuration log prints as {@code [hidden]}; {@link #toString()} names the files, never their contents.
 *
 * @param protocol    {@code security.protocol}: PLAINTEXT (the default), SSL, SASL_PLAINTEXT or SASL_SSL
 * @param settings    the client settings this gives, secrets as {@link Password}
 * @param description what is configured, for the log: protocol, mechanism, file names
 */
public record KafkaSecurity(String protocol, Map<String, Object> settings, String description) {
    public static final String PROTOCOL = "DIFFARM_KAFKA_SECURITY_PROTOCOL";
    public static final String MECHANISM = "DIFFARM_KAFKA_SASL_MECHANISM";
    public static final String JAAS_FILE = "DIFFARM_KAFKA_SASL_JAAS_CONFIG_FILE";
    public static final String USERNAME = "DIFFARM_KAFKA_SASL_USERNAME";
    public static final String PASSWORD_FILE = "DIFFARM_KAFKA_SASL_PASSWORD_FILE";
    public static final String TOKEN_ENDPOINT = "DIFFARM_KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL";
    public static final String TRUSTSTORE = "DIFFARM_KAFKA_SSL_TRUSTSTORE_LOCATION";
    public static final String TRUSTSTORE_PASSWORD_FILE = "DIFFARM_KAFKA_SSL_TRUSTSTORE_PASSWORD_FILE";
    public static final String TRUSTSTORE_TYPE = "DIFFARM_KAFKA_SSL_TRUSTSTORE_TYPE";
    public static final String KEYSTORE = "DIFFARM_KAFKA_SSL_KEYSTORE_LOCATION";
    public static final String KEYSTORE_PASSWORD_FILE = "DIFFARM_KAFKA_SSL_KEYSTORE_PASSWORD_FILE";
    public static final String KEYSTORE_TYPE = "DIFFARM_KAFKA_SSL_KEYSTORE_TYPE";

    static final List<String> PROTOCOLS = List.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
    static final List<String> MECHANISMS = List.of("SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN", "OAUTHBEARER");
    /** Kafka 4 fetches OAuth tokens only from URLs this JVM property allows. */
    static final String ALLOWED_TOKEN_URLS = "org.apache.kafka.sasl.oauthbearer.allowed.urls";

    public KafkaSecurity {
        settings = Map.copyOf(settings);
    }

    /** Plain connections without authentication: a local broker, or a test's. */
    public static final KafkaSecurity NONE = new KafkaSecurity("PLAINTEXT", Map.of(), "PLAINTEXT");

    /** The settings as the daemon reads them: empty values are unset. */
    public record Settings(Optional<String> protocol, Optional<String> mechanism, Optional<String> jaasFile,
                           Optional<String> username, Optional<String> passwordFile, Optional<String> tokenEndpoint,
                           Optional<String> truststore, Optional<String> truststorePasswordFile,
                           Optional<String> truststoreType, Optional<String> keystore,
                           Optional<String> keystorePasswordFile, Optional<String> keystoreType) {
    }

    /**
     * The security {@code settings} describe, their files read.
     *
     * @throws IllegalArgumentException naming the setting and what was expected (never a secret's content)
     */
    public static KafkaSecurity of(Settings settings) {
        String protocol = set(settings.protocol()).orElse("PLAINTEXT").toUpperCase(java.util.Locale.ROOT);
        if (!PROTOCOLS.contains(protocol)) {
            throw new IllegalArgumentException(PROTOCOL + " = " + protocol + ": expected one of " + PROTOCOLS);
        }
        Map<String, Object> config = new HashMap<>();
        StringBuilder description = new StringBuilder(protocol);
        config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol);
        if (protocol.startsWith("SASL_")) {
            sasl(settings, config, description);
        } else if (set(settings.mechanism()).isPresent()) {
            throw new IllegalArgumentException(MECHANISM + " is set but " + PROTOCOL + " = " + protocol
                    + ": expected SASL_SSL (or SASL_PLAINTEXT) with a SASL mechanism");
        }
        if (protocol.endsWith("SSL")) {
            store(settings.truststore(), TRUSTSTORE, settings.truststorePasswordFile(), TRUSTSTORE_PASSWORD_FILE,
                    settings.truststoreType(), SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG,
                    SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, config, description);
            store(settings.keystore(), KEYSTORE, settings.keystorePasswordFile(), KEYSTORE_PASSWORD_FILE,
                    settings.keystoreType(), SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG,
                    SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, config, description);
        } else if (set(settings.truststore()).isPresent() || set(settings.keystore()).isPresent()) {
            throw new IllegalArgumentException(TRUSTSTORE + " or " + KEYSTORE + " is set but " + PROTOCOL + " = " + protocol
                    + ": expected SSL or SASL_SSL, or the stores would be ignored");
        }
        return new KafkaSecurity(protocol, config, description.toString());
    }

    private static void sasl(Settings settings, Map<String, Object> config, StringBuilder description) {
        String mechanism = set(settings.mechanism()).orElseThrow(() -> new IllegalArgumentException(PROTOCOL + " = "
                + config.get(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG) + " needs " + MECHANISM + ": expected one of "
                + MECHANISMS)).toUpperCase(java.util.Locale.ROOT);
        if (!MECHANISMS.contains(mechanism)) {
            throw new IllegalArgumentException(MECHANISM + " = " + mechanism + ": expected one of " + MECHANISMS);
        }
        config.put(SaslConfigs.SASL_MECHANISM, mechanism);
        description.append(" ").append(mechanism);
        Optional<String> jaasFile = set(settings.jaasFile());
        Optional<String> username = set(settings.username());
        String jaas;
        if (jaasFile.isPresent()) {
            jaas = SecretFiles.read(JAAS_FILE, jaasFile.get());
            description.append(", JAAS from ").append(jaasFile.get());
        } else if (username.isPresent() && !mechanism.equals("OAUTHBEARER")) {
            String passwordFile = set(settings.passwordFile()).orElseThrow(() -> new IllegalArgumentException(
                    USERNAME + " is set without " + PASSWORD_FILE + ": expected a file holding the password"));
            String module = mechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                    : "org.apache.kafka.common.security.scram.ScramLoginModule";
            jaas = module + " required username=\"" + jaasQuoted(username.get()) + "\" password=\""
                    + jaasQuoted(SecretFiles.read(PASSWORD_FILE, passwordFile)) + "\";";
            description.append(", user ").append(username.get()).append(", password from ").append(passwordFile);
        } else {
            throw new IllegalArgumentException(MECHANISM + " = " + mechanism + " needs " + JAAS_FILE
                    + (mechanism.equals("OAUTHBEARER") ? " (OAuthBearerLoginModule with clientId and clientSecret)"
                    : ", or " + USERNAME + " and " + PASSWORD_FILE));
        }
        config.put(SaslConfigs.SASL_JAAS_CONFIG, new Password(jaas));
        Optional<String> tokenEndpoint = set(settings.tokenEndpoint());
        if (mechanism.equals("OAUTHBEARER") && tokenEndpoint.isPresent()) {
            config.put(SaslConfigs.SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL, tokenEndpoint.get());
            config.put(SaslConfigs.SASL_LOGIN_CALLBACK_HANDLER_CLASS,
                    "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler");
            allowTokenUrl(tokenEndpoint.get());
            description.append(", tokens from ").append(tokenEndpoint.get());
        }
    }

    /**
     * Kafka 4 refuses a token endpoint the JVM property {@value #ALLOWED_TOKEN_URLS} does not list (so that a client's
     * settings alone cannot make it fetch from anywhere); the operator chose this one, so it is added to the list.
     */
    private static synchronized void allowTokenUrl(String url) {
        String allowed = System.getProperty(ALLOWED_TOKEN_URLS, "");
        if (!List.of(allowed.split(",")).contains(url)) {
            System.setProperty(ALLOWED_TOKEN_URLS, allowed.isEmpty() ? url : allowed + "," + url);
        }
    }

    private static void store(Optional<String> location, String locationSetting, Optional<String> passwordFile,
                              String passwordSetting, Optional<String> type, String locationKey, String passwordKey,
                              String typeKey, Map<String, Object> config, StringBuilder description) {
        if (set(location).isEmpty()) {
            if (set(passwordFile).isPresent()) {
                throw new IllegalArgumentException(passwordSetting + " is set without " + locationSetting);
            }
            return;
        }
        Path path = Path.of(location.get());
        if (!Files.isReadable(path)) {
            throw new IllegalArgumentException(locationSetting + " = " + path + ": no readable file");
        }
        config.put(locationKey, path.toString());
        set(type).ifPresent(value -> config.put(typeKey, value));
        set(passwordFile).ifPresent(file -> config.put(passwordKey, new Password(SecretFiles.read(passwordSetting, file))));
        description.append(", ").append(locationSetting.endsWith("TRUSTSTORE_LOCATION") ? "truststore " : "keystore ")
                .append(path);
    }

    /** A value inside a JAAS double-quoted string: backslash and quote escaped. */
    static String jaasQuoted(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static Optional<String> set(Optional<String> value) {
        return value.map(String::strip).filter(text -> !text.isEmpty());
    }

    /** Adds these settings to a client's {@code config}, and returns it. */
    public Map<String, Object> applyTo(Map<String, Object> config) {
        config.putAll(settings);
        return config;
    }

    @Override
    public String toString() {
        return description;
    }
}
