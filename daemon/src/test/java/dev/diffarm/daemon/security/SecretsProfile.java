package dev.diffarm.daemon.security;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The daemon with a secret in every place one can be set: an API key, a JWT signing key, a Kafka SCRAM password and an
 * S3 secret key (both from files), with Kafka and S3 pointed at ports where nothing answers, so that their
 * connections fail. Its log goes to a file the test reads. Each secret has a distinctive text to search for.
 */
public class SecretsProfile implements QuarkusTestProfile {
    static final String API_KEY = "apikey-SECRET-6d1f0c";
    static final String SCRAM_PASSWORD = "scram-SECRET-91ab7e";
    static final String S3_SECRET = "s3key-SECRET-40c2d5";
    static final String PRIVATE_KEY_FILE = "jwt-private.pk8";
    static final String LOG_FILE = "daemon.log";
    /** What no output may contain: each secret, and the hex of the API key's hash beyond the 8 digits a log may show. */
    static final List<String> SECRETS = List.of(API_KEY, SCRAM_PASSWORD, S3_SECRET, "SECRET-");

    @Override
    public Map<String, String> getConfigOverrides() {
        try {
            Path dir = Files.createTempDirectory("diffarm-secrets");
            Path keys = Files.writeString(dir.resolve("keys"), "acme submit,read " + sha256(API_KEY) + "\n");
            Path password = Files.writeString(dir.resolve("scram-password"), SCRAM_PASSWORD + "\n");
            Path s3Secret = Files.writeString(dir.resolve("s3-secret"), S3_SECRET);
            KeyPair pair = TestJwts.rsa();
            Path publicKey = Files.writeString(dir.resolve("jwt.pem"), TestJwts.pem(pair.getPublic()));
            Files.write(dir.resolve(PRIVATE_KEY_FILE), pair.getPrivate().getEncoded());
            return Map.ofEntries(
                    Map.entry("diffarm.api-keys-file", keys.toString()),
                    Map.entry("diffarm.jwt.public-key", publicKey.toString()),
                    Map.entry("diffarm.jwt.issuer", "https://idp.test"),
                    // Nothing listens on port 1: every Kafka and S3 connection fails.
                    Map.entry("diffarm.kafka.bootstrap-servers", "127.0.0.1:1"),
                    Map.entry("diffarm.kafka.security-protocol", "SASL_PLAINTEXT"),
                    Map.entry("diffarm.kafka.sasl-mechanism", "SCRAM-SHA-512"),
                    Map.entry("diffarm.kafka.sasl-username", "diffarm-node"),
                    Map.entry("diffarm.kafka.sasl-password-file", password.toString()),
                    // a farm with tenants on Kafka must trust its topic's tenant header, or the daemon refuses to start
                    Map.entry("diffarm.kafka.trust-tenant-header", "true"),
                    Map.entry("diffarm.s3.endpoint", "http://127.0.0.1:1"),
                    Map.entry("diffarm.s3.access-key", "diffarm-access"),
                    Map.entry("diffarm.s3.secret-key-file", s3Secret.toString()),
                    // Kafka's clients print their whole configuration at INFO: it is captured too.
                    Map.entry("quarkus.log.category.\"org.apache.kafka\".level", "INFO"),
                    Map.entry("quarkus.log.file.enabled", "true"),
                    Map.entry("quarkus.log.file.path", dir.resolve(LOG_FILE).toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The hex SHA-256 of a key, as the keys file holds it. */
    static String sha256(String key) {
        return HexFormat.of().formatHex(ApiKeysFile.sha256(key));
    }
}
