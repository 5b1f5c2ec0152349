package dev.diffarm.daemon.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.TinyModel;
import dev.diffarm.daemon.kafka.KafkaDaemonResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** Issue 14: a job posted over REST by tenant acme on a Kafka farm goes through the jobs topic and runs as acme. */
@QuarkusTest
@TestProfile(KafkaTenantsProfile.class)
@QuarkusTestResource(value = KafkaDaemonResource.class, restrictToAnnotatedClass = true)
class KafkaTenantsTest {
    private static final Duration WAIT = Duration.ofMinutes(3);

    @ConfigProperty(name = "diffarm.local-dir")
    String localDir;

    @Test
    void aTenantsRestJobRunsAsThatTenantThroughTheTopic() throws Exception {
        // The broker keeps its topics between test runs: an id of this run's own.
        String id = "acme-kafka-" + UUID.randomUUID().toString().substring(0, 8);
        given().header("Authorization", "Bearer " + ApiKeysProfile.ACME).contentType("application/json")
                .body(TinyModel.renderJob(id, "[\"a cat\"]", "[1]", 2)).post("/jobs")
                .then().statusCode(202).body("tenant", equalTo("acme"));

        long deadline = System.nanoTime() + WAIT.toNanos();
        String state = "";
        while (!state.equals("completed") && System.nanoTime() < deadline) {
            Thread.sleep(100);
            state = given().header("Authorization", "Bearer " + ApiKeysProfile.ACME).get("/jobs/" + id)
                    .then().statusCode(200).body("tenant", equalTo("acme")).extract().path("state");
        }
        assertEquals("completed", state, id);
        given().header("Authorization", "Bearer " + ApiKeysProfile.GLOBEX).get("/jobs/" + id).then().statusCode(404);
        Path outputs = Path.of(localDir, "outputs");
        assertTrue(Files.isRegularFile(outputs.resolve("tenants/acme/jobs/" + id + "/t0000.png")));
        assertFalse(Files.exists(outputs.resolve("jobs/" + id)), "nothing under tenant local's prefix");
    }
}
