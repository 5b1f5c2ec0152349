package dev.diffarm.daemon.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Kafka clients' TLS and SASL settings: passed through from the settings and files, secrets never shown. */
class KafkaSecurityTest {
    private static final String PASSWORD = "s3cr\"et-scram-pa\\ss";
    private static final String TRUST_PASSWORD = "truststore-secret-77";

    @TempDir
    Path dir;

    private static KafkaSecurity.Settings settings(String protocol, String mechanism, Path jaas, String user,
                                                   Path password, Path truststore, Path truststorePassword) {
        return new KafkaSecurity.Settings(Optional.ofNullable(protocol), Optional.ofNullable(mechanism),
                Optional.ofNullable(jaas).map(Path::toString), Optional.ofNullable(user),
                Optional.ofNullable(password).map(Path::toString), Optional.empty(),
                Optional.ofNullable(truststore).map(Path::toString),
                Optional.ofNullable(truststorePassword).map(Path::toString), Optional.of("PKCS12"), Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    @Test
    void scramOverTlsFromAUsernameAndPasswordFile() throws Exception {
        Path password = Files.writeString(dir.resolve("password"), PASSWORD + "\n");
        Path truststore = Files.write(dir.resolve("truststore.p12"), new byte[] {1});
        Path trustPassword = Files.writeString(dir.resolve("trust-password"), TRUST_PASSWORD);
        KafkaSecurity security = KafkaSecurity.of(settings("sasl_ssl", "SCRAM-SHA-512", null, "diffarm-node", password,
                truststore, trustPassword));

        Map<String, Object> config = security.applyTo(KafkaClients.eventProducer("127.0.0.1:9093", "test"));
        assertEquals("SASL_SSL", config.get("security.protocol"));
        assertEquals("SCRAM-SHA-512", config.get("sasl.mechanism"));
        assertEquals("org.apache.kafka.common.security.scram.ScramLoginModule required username=\"diffarm-node\" "
                + "password=\"s3cr\\\"et-scram-pa\\\\ss\";", ((Password) config.get("sasl.jaas.config")).value());
        assertEquals(truststore.toString(), config.get("ssl.truststore.location"));
        assertEquals("PKCS12", config.get("ssl.truststore.type"));
        assertEquals(TRUST_PASSWORD, ((Password) config.get("ssl.truststore.password")).value());

        // What the daemon logs of it, and what Kafka's own configuration log prints: no secret.
        String shown = security + " " + config + " " + new ProducerConfig(config).values();
        assertFalse(shown.contains("s3cr") || shown.contains(TRUST_PASSWORD), shown);
        assertTrue(shown.contains("[hidden]"), shown);
        assertEquals("SASL_SSL SCRAM-SHA-512, user diffarm-node, password from " + password + ", truststore " + truststore,
                security.toString());
    }

    @Test
    void aJaasFileIsPassedWholeForOauthBearer() throws Exception {
        String jaas = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required "
                + "clientId=\"diffarm\" clientSecret=\"oauth-client-secret-42\";";
        Path file = Files.writeString(dir.resolve("jaas.conf"), jaas);
        KafkaSecurity security = KafkaSecurity.of(settings("SASL_SSL", "OAUTHBEARER", file, null, null, null, null));
        assertEquals(jaas, ((Password) security.settings().get("sasl.jaas.config")).value());
        assertFalse(security.toString().contains("oauth-client-secret-42"));
    }

    @Test
    void refusesSettingsThatDoNotFitTogetherNamingThem() throws Exception {
        assertEquals("DIFFARM_KAFKA_SECURITY_PROTOCOL = TLS: expected one of [PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL]",
                refusal(settings("TLS", null, null, null, null, null, null)));
        assertEquals("DIFFARM_KAFKA_SASL_MECHANISM is set but DIFFARM_KAFKA_SECURITY_PROTOCOL = PLAINTEXT: expected "
                + "SASL_SSL (or SASL_PLAINTEXT) with a SASL mechanism", refusal(settings(null, "PLAIN", null, null, null, null, null)));
        assertEquals("DIFFARM_KAFKA_SECURITY_PROTOCOL = SASL_SSL needs DIFFARM_KAFKA_SASL_MECHANISM: expected one of "
                + "[SCRAM-SHA-256, SCRAM-SHA-512, PLAIN, OAUTHBEARER]", refusal(settings("SASL_SSL", null, null, null, null, null, null)));
        assertEquals("DIFFARM_KAFKA_SASL_MECHANISM = OAUTHBEARER needs DIFFARM_KAFKA_SASL_JAAS_CONFIG_FILE "
                + "(OAuthBearerLoginModule with clientId and clientSecret)",
                refusal(settings("SASL_SSL", "OAUTHBEARER", null, "user", null, null, null)));
        assertEquals("DIFFARM_KAFKA_SASL_PASSWORD_FILE = " + dir.resolve("missing") + ": cannot be read (NoSuchFileException)",
                refusal(settings("SASL_SSL", "SCRAM-SHA-256", null, "user", dir.resolve("missing"), null, null)));
        Path store = Files.write(dir.resolve("store"), new byte[] {1});
        assertTrue(refusal(settings("SASL_PLAINTEXT", "SCRAM-SHA-256", null, "u",
                Files.writeString(dir.resolve("p"), "x"), store, null)).startsWith("DIFFARM_KAFKA_SSL_TRUSTSTORE_LOCATION"));
        assertEquals(KafkaSecurity.NONE.settings().isEmpty(), true);
        assertEquals(Map.of("security.protocol", "PLAINTEXT"),
                KafkaSecurity.of(settings(null, null, null, null, null, null, null)).settings());
    }

    private static String refusal(KafkaSecurity.Settings settings) {
        return assertThrows(IllegalArgumentException.class, () -> KafkaSecurity.of(settings)).getMessage();
    }
}
