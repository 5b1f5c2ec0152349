package dev.diffarm.daemon.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.TinyModel;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.specification.RequestSpecification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The daemon with API keys: who may call it, and each tenant confined to its own jobs. */
@QuarkusTest
@TestProfile(ApiKeysProfile.class)
@QuarkusTestResource(LocalDaemonResource.class)
class TenantsTest {
    private static final Duration WAIT = Duration.ofMinutes(3);

    @ConfigProperty(name = "diffarm.api-keys-file")
    String keysFile;

    @ConfigProperty(name = "diffarm.local-dir")
    String localDir;

    @Test
    void answersCallersWithoutAValidKey401ButTheProbesToAll() {
        for (String path : new String[] {"/jobs/x", "/models", "/schema", "/q/metrics"}) {
            given().get(path).then().statusCode(401).header("WWW-Authenticate", containsString("Bearer"));
            given().header("Authorization", "Bearer wrong-key").get(path).then().statusCode(401);
            given().header("X-Api-Key", "wrong-key").get(path).then().statusCode(401);
        }
        given().contentType("application/json").body(TinyModel.renderJob("anon", "[\"a\"]", "[1]", 2)).post("/jobs")
                .then().statusCode(401);
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(200);
        as(ApiKeysProfile.ACME).get("/models").then().statusCode(200);
        given().header("X-Api-Key", ApiKeysProfile.GLOBEX).get("/models").then().statusCode(200);
    }

    @Test
    void eachTenantSubmitsReadsAndCancelsOnlyItsOwnJobs() throws Exception {
        submit(ApiKeysProfile.ACME, "acme-job").then().statusCode(202).body("tenant", equalTo("acme"));
        submit(ApiKeysProfile.GLOBEX, "globex-job").then().statusCode(202).body("tenant", equalTo("globex"));

        as(ApiKeysProfile.ACME).get("/jobs/acme-job").then().statusCode(200);
        as(ApiKeysProfile.ACME_READER).get("/jobs/acme-job").then().statusCode(200);
        for (String key : new String[] {ApiKeysProfile.ACME, ApiKeysProfile.ACME_READER}) {
            as(key).get("/jobs/globex-job").then().statusCode(404).body("errors[0].code", equalTo("unknown-job"));
            as(key).get("/jobs/globex-job/events").then().statusCode(404);
        }
        as(ApiKeysProfile.ACME).delete("/jobs/globex-job").then().statusCode(404);
        as(ApiKeysProfile.GLOBEX).get("/jobs/acme-job").then().statusCode(404);
        // Another tenant cannot take the id over either; nor learn anything about the job under it.
        submit(ApiKeysProfile.GLOBEX, "acme-job").then().statusCode(409).body("errors[0].code", equalTo("id-taken"))
                .body("errors[0].message", equalTo("job id \"acme-job\" is in use by another job: choose another id"));

        awaitState(ApiKeysProfile.GLOBEX, "globex-job", "completed");
        as(ApiKeysProfile.GLOBEX).get("/jobs/globex-job/events").then().statusCode(200)
                .body(containsString("event:completed"))
                .body(containsString("\"tenants/globex/jobs/globex-job/t0000.png\""));
        // Its outputs under its own prefix, none at the shared root; no endpoint shows them to another tenant.
        Path outputs = Path.of(localDir, "outputs");
        assertTrue(Files.isRegularFile(outputs.resolve("tenants/globex/jobs/globex-job/t0000.png")));
        assertTrue(Files.isRegularFile(outputs.resolve("tenants/globex/jobs/globex-job/index.html")));
        assertFalse(Files.exists(outputs.resolve("jobs/globex-job")));
        for (String path : new String[] {"/jobs/globex-job", "/jobs/globex-job/events"}) {
            as(ApiKeysProfile.ACME).get(path).then().statusCode(404)
                    .body(org.hamcrest.Matchers.not(containsString("tenants/globex")));
        }
        // Its own: cancelled, or ended already (the tiny model is quick); either way not hidden from it.
        int cancel = as(ApiKeysProfile.ACME).delete("/jobs/acme-job").then().extract().statusCode();
        assertEquals(true, cancel == 202 || cancel == 409, "cancel answered " + cancel);
        as(ApiKeysProfile.ADMIN).get("/jobs/acme-job").then().statusCode(200).body("tenant", equalTo("acme"));
        as(ApiKeysProfile.ADMIN).get("/jobs/globex-job").then().statusCode(200).body("tenant", equalTo("globex"));
    }

    @Test
    void refusesARoleTheKeyLacks403() {
        submit(ApiKeysProfile.ACME_READER, "reader-job").then().statusCode(403);
        as(ApiKeysProfile.ACME_READER).get("/jobs/reader-job").then().statusCode(404);
        as(ApiKeysProfile.ACME_READER).delete("/jobs/acme-anything").then().statusCode(403);
    }

    @Test
    void refusesAnotherJobUnderTheIdOfAnExistingOne409() throws Exception {
        submit(ApiKeysProfile.ACME, "acme-same").then().statusCode(202);
        awaitState(ApiKeysProfile.ACME, "acme-same", "completed");
        submit(ApiKeysProfile.ACME, "acme-same").then().statusCode(202);
        as(ApiKeysProfile.ACME).contentType("application/json")
                .body(TinyModel.renderJob("acme-same", "[\"a lighthouse\"]", "[1]", 2)).post("/jobs")
                .then().statusCode(409).body("errors[0].code", equalTo("id-taken"))
                .body("errors[0].message", containsString("job acme-same exists with other content (differing: prompts)"));
    }

    @Test
    void aRevokedKeyStopsWorkingAtOnce() throws Exception {
        as(ApiKeysProfile.REVOCABLE).get("/models").then().statusCode(200);
        Files.writeString(Path.of(keysFile), ApiKeysProfile.keysFile(false));
        as(ApiKeysProfile.REVOCABLE).get("/models").then().statusCode(401)
                .body("errors[0].code", equalTo("revoked-key"))
                .body("errors[0].message", equalTo("the API key was revoked: its line is no longer in the keys file"));
        as(ApiKeysProfile.ACME).get("/models").then().statusCode(200);
        Files.writeString(Path.of(keysFile), ApiKeysProfile.keysFile(true));
        as(ApiKeysProfile.REVOCABLE).get("/models").then().statusCode(200);
    }

    private static RequestSpecification as(String key) {
        return given().header("Authorization", "Bearer " + key);
    }

    private static io.restassured.response.Response submit(String key, String id) {
        return as(key).contentType("application/json").body(TinyModel.renderJob(id, "[\"a cat\"]", "[1]", 2)).post("/jobs");
    }

    private static void awaitState(String key, String id, String state) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String now = as(key).get("/jobs/" + id).then().statusCode(200).extract().path("state");
        while (!now.equals(state) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            now = as(key).get("/jobs/" + id).then().statusCode(200).extract().path("state");
        }
        assertEquals(state, now, id);
    }
}
