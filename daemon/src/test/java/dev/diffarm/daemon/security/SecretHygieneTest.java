package dev.diffarm.daemon.security;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.TinyModel;
import dev.diffarm.daemon.rest.LocalDaemonResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Secrets never leave the daemon: with a secret set everywhere one can be ({@link SecretsProfile}), the daemon is
 * used (a good job, a bad job, an unknown key, an expired JWT, health, metrics) while its Kafka and S3 connections
 * fail, and every answer and its whole log are searched for each secret.
 */
@QuarkusTest
@TestProfile(SecretsProfile.class)
@QuarkusTestResource(LocalDaemonResource.class)
class SecretHygieneTest {
    @ConfigProperty(name = "quarkus.log.file.path")
    String logFile;

    @ConfigProperty(name = "diffarm.jwt.public-key")
    String publicKey;

    @Test
    void noAnswerNorTheLogHoldsASecret() throws Exception {
        List<Response> answers = new ArrayList<>();
        String jwt = TestJwts.rs256(KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(
                        Files.readAllBytes(Path.of(publicKey).resolveSibling(SecretsProfile.PRIVATE_KEY_FILE)))),
                TestJwts.claims("https://idp.test", "diffarm", "acme", Instant.now().getEpochSecond() - 60, "read"));

        // A good job: Kafka does not answer, so it cannot be queued (503 after the producer's wait).
        answers.add(bearer(SecretsProfile.API_KEY).contentType("application/json")
                .body(TinyModel.renderJob("good", "[\"a cat\"]", "[1]", 2)).post("/jobs"));
        assertEquals(503, answers.get(0).statusCode(), answers.get(0).asString());
        // A bad job, its events, an unknown key, an expired token, the probes and the metrics.
        answers.add(bearer(SecretsProfile.API_KEY).contentType("application/json")
                .body("{\"id\": \"bad\", \"steps\": -1}").post("/jobs"));
        assertEquals(400, answers.get(1).statusCode());
        answers.add(bearer(SecretsProfile.API_KEY).get("/jobs/bad"));
        answers.add(bearer(SecretsProfile.API_KEY + "x").get("/models"));
        answers.add(bearer(jwt).get("/models"));
        assertEquals(401, answers.get(answers.size() - 1).statusCode());
        answers.add(given().get("/q/health/ready"));
        answers.add(given().get("/q/health/live"));
        answers.add(bearer(SecretsProfile.API_KEY).get("/q/metrics"));
        answers.add(bearer(SecretsProfile.API_KEY).get("/q/health"));
        assertEquals(200, answers.get(answers.size() - 2).statusCode(), "the metrics were read");

        StringBuilder emitted = new StringBuilder();
        for (Response answer : answers) {
            emitted.append(answer.getHeaders()).append('\n').append(answer.asString()).append('\n');
        }
        String log = Files.readString(Path.of(logFile));
        assertTrue(log.contains("127.0.0.1:1"), "the log saw the failing connections");
        assertTrue(log.contains("sasl.jaas.config = [hidden]"), "Kafka's configuration dump was captured, hidden");
        for (String secret : SecretsProfile.SECRETS) {
            assertFalse(emitted.toString().contains(secret), "an answer holds " + secret);
            assertFalse(log.contains(secret), "the log holds " + secret);
        }
        String hash = SecretsProfile.sha256(SecretsProfile.API_KEY);
        assertFalse((emitted + log).contains(hash.substring(0, 16)), "more of the key's hash than a prefix");
        assertFalse((emitted + log).contains(jwt.substring(jwt.lastIndexOf('.') + 1)), "the token's signature");
        System.out.printf("secret hygiene: %d answers (%d chars) and %d chars of log searched for %d secrets%n",
                answers.size(), emitted.length(), log.length(), SecretsProfile.SECRETS.size());
    }

    private static io.restassured.specification.RequestSpecification bearer(String credential) {
        return given().header("Authorization", "Bearer " + credential);
    }
}
