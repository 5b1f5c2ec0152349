package dev.diffarm.daemon.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.TinyModel;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The daemon as a whole, over HTTP, on its embedded defaults. */
@QuarkusTest
@QuarkusTestResource(LocalDaemonResource.class)
class JobResourceTest {
    /** Generous: the tiny model renders in well under a second, but CI machines can be busy. */
    private static final Duration WAIT = Duration.ofMinutes(3);

    @ConfigProperty(name = "diffarm.local-dir")
    String localDir;

    @Test
    void servesTheSchemaThePluginsAndTheModels() {
        given().get("/schema").then().statusCode(200).body("$schema", equalTo("https://json-schema.org/draft/2020-12/schema"));
        given().get("/plugins").then().statusCode(200)
                .body("samplers.name", hasItem("Euler a"))
                .body("samplers.find { it.name == 'Euler a' }.diffusersClass", equalTo("EulerAncestralDiscreteScheduler"))
                .body("samplers.find { it.name == 'DDIM' }.plugin", equalTo("samplers-classic"))
                .body("samplers.find { it.name == 'DPM++ 2S a' }.plugin", equalTo("example-sampler"));
        given().get("/models").then().statusCode(200)
                .body("models[0].name", equalTo(TinyModel.NAME))
                .body("models[0].format", equalTo("diffusers"));
    }

    @Test
    void refusesAnInvalidJobWithEveryProblem() {
        given().contentType("application/json").body(TinyModel.renderJob("rest-bad", "[\"x\"]", "[1]", -1)
                        .replace("\"width\": 32", "\"width\": 100000"))
                .post("/jobs").then().statusCode(400)
                .body("errors.field", equalTo(List.of("steps", "width")))
                .body("errors[0].code", equalTo("invalid-value"))
                .body("errors[0].message", equalTo("steps = -1: expected an integer in 1..1000"));
        given().contentType("application/json").body(TinyModel.renderJob("rest-bad", "[\"x\"]", "[1]", 2)
                        .replace("\"tiny\"", "\"nope\""))
                .post("/jobs").then().statusCode(400)
                .body("errors[0].field", equalTo("model"))
                .body("errors[0].code", equalTo("unknown-name"))
                .body("errors[0].message", equalTo("model = \"nope\": expected a model this farm has: tiny"));
        given().contentType("application/json").body(TinyModel.renderJob("rest-bad", "[\"x\"]", "[1]", 2)
                        .replace("\"steps\"", "\"enableHr\": true, \"hrUpscaler\": \"nope\", \"steps\""))
                .post("/jobs").then().statusCode(400)
                .body("errors[0].field", equalTo("hrUpscaler"))
                .body("errors[0].message", containsString("esrgan-x4")); // from DIFFARM_UPSCALERS_DIR
        given().contentType("application/json").body("{nope").post("/jobs").then().statusCode(400)
                .body("errors[0].code", equalTo("not-json"));
    }

    @Test
    void rendersASubmittedJobAndReportsIt() throws Exception {
        String id = "rest-cats";
        given().contentType("application/json").body(TinyModel.renderJob(id, "[\"a cat\", \"a dog\"]", "[3]", 2))
                .post("/jobs").then().statusCode(202)
                .header("Location", endsWith("/jobs/" + id))
                .body("id", equalTo(id)).body("tasks", equalTo(2));

        JsonPath status = awaitState(id, "completed");
        assertEquals(List.of("jobs/rest-cats/t0000.png", "jobs/rest-cats/t0001.png", "jobs/rest-cats/contact-sheet-0001.png",
                "jobs/rest-cats/page-0001.html", "jobs/rest-cats/index.html"), status.getList("keys"));
        assertEquals(2, status.getInt("tasksCompleted"));
        assertTrue(Files.isRegularFile(Path.of(localDir, "outputs/jobs/rest-cats/t0001.json")));

        String stream = given().accept("text/event-stream").get("/jobs/" + id + "/events").then().statusCode(200)
                .extract().asString();
        List<String> names = new ArrayList<>();
        for (String line : stream.split("\n")) {
            if (line.startsWith("event:")) {
                names.add(line.substring("event:".length()).strip());
            }
        }
        assertEquals(List.of("accepted", "progress", "progress", "task-completed", "progress", "progress",
                "task-completed", "completed"), names, stream);
        assertTrue(stream.contains("\"key\":\"jobs/rest-cats/t0000.png\""), stream);

        given().delete("/jobs/" + id).then().statusCode(409).body("errors[0].code", equalTo("job-ended"));
    }

    @Test
    void answersUnknownJobsWith404() {
        given().get("/jobs/never-submitted").then().statusCode(404).body("errors[0].code", equalTo("unknown-job"));
        given().delete("/jobs/never-submitted").then().statusCode(404);
        given().get("/jobs/never-submitted/events").then().statusCode(404);
    }

    @Test
    void reportsHealthAndMetrics() throws Exception {
        given().get("/q/health/live").then().statusCode(200).body("checks[0].name", equalTo("workers"));
        given().get("/q/health/ready").then().statusCode(200).body("checks[0].data.models", equalTo(1));
        given().contentType("application/json").body(TinyModel.renderJob("rest-metrics", "[\"a\"]", "[1]", 2))
                .post("/jobs").then().statusCode(202);
        awaitState("rest-metrics", "completed");
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("diffarm_tasks_total{outcome=\"rendered\"}"))
                .body(containsString("diffarm_step_seconds_count"))
                .body(containsString("diffarm_task_seconds_count"))
                .body(containsString("diffarm_render_seconds_count"))
                .body(containsString("diffarm_jobs{state=\"completed\"}"))
                .body(containsString("diffarm_queue_depth"));
    }

    private static JsonPath awaitState(String id, String state) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonPath status = given().get("/jobs/" + id).then().statusCode(200).extract().jsonPath();
        while (!status.getString("state").equals(state) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            status = given().get("/jobs/" + id).then().statusCode(200).extract().jsonPath();
        }
        assertEquals(state, status.getString("state"), status.prettify());
        return status;
    }
}
