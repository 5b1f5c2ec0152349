package dev.diffarm.daemon.service;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.TinyModel;
import dev.diffarm.daemon.rest.LocalDaemonResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Issue 13's acceptance on one node: with two workers ({@code DIFFARM_DEVICES=cpu,cpu}) a long training job and a
 * render job submitted after it run at the same time: the render completes while the training still runs and keeps
 * stepping, each job is run once, and health lists both workers.
 */
@QuarkusTest
@TestProfile(TwoDevicesProfile.class)
@QuarkusTestResource(LocalDaemonResource.class)
class TwoWorkersTest {
    private static final Duration WAIT = Duration.ofMinutes(3);
    /** Far more than the test waits for: the training is cancelled once the render is done. */
    private static final int TRAIN_STEPS = 5000;

    @ConfigProperty(name = "diffarm.home")
    String home;

    @ConfigProperty(name = "diffarm.local-dir")
    String localDir;

    @Test
    void aRenderCompletesWhileALongTrainingRunsOnTheOtherWorker() throws Exception {
        JsonPath live = given().get("/q/health/live").then().statusCode(200).extract().jsonPath();
        Map<String, String> workers = live.getMap("checks.find { it.name == 'workers' }.data");
        assertEquals(Map.of("diffarm-worker-0", "cpu: idle", "diffarm-worker-1", "cpu: idle"), workers);

        TinyModel.copyTrainData(Path.of(home, "datasets", "faces"));
        given().contentType("application/json").body(trainJob("long-train")).post("/jobs").then().statusCode(202);
        JsonPath training = await("long-train", status -> status.getString("state").equals("running")
                && status.getInt("step") >= 2);
        int stepBefore = training.getInt("step");

        given().contentType("application/json").body(TinyModel.renderJob("meanwhile", "[\"a cat\", \"a dog\"]", "[3]", 2))
                .post("/jobs").then().statusCode(202);
        JsonPath busy = given().get("/q/health/live").then().statusCode(200).extract().jsonPath();
        System.out.println("workers while both jobs run: " + busy.getMap("checks.find { it.name == 'workers' }.data"));
        JsonPath render = await("meanwhile", status -> status.getString("state").equals("completed"));
        assertEquals(2, render.getInt("tasksCompleted"));

        JsonPath stillTraining = given().get("/jobs/long-train").then().statusCode(200).extract().jsonPath();
        System.out.printf("training at step %d when the render was submitted, at %d of %d when it completed%n",
                stepBefore, stillTraining.getInt("step"), TRAIN_STEPS);
        assertEquals("running", stillTraining.getString("state"), "the render did not wait for the training");
        assertTrue(stillTraining.getInt("step") > stepBefore, "the training kept stepping meanwhile: "
                + stepBefore + " then " + stillTraining.getInt("step"));

        given().delete("/jobs/long-train").then().statusCode(202);
        await("long-train", status -> status.getString("state").equals("cancelled"));
        awaitFiles(Path.of(localDir, "done"), 2);
        assertEquals(List.of(), jobFiles(Path.of(localDir, "queue")), "nothing left waiting");
        assertEquals(List.of(), jobFiles(Path.of(localDir, "processing")), "nothing left in hand");
        List<String> events = Files.readAllLines(Path.of(localDir, "events.jsonl"));
        assertEquals(1, count(events, "\"jobId\":\"long-train\"", "\"type\":\"accepted\""), "the training ran once");
        assertEquals(1, count(events, "\"jobId\":\"meanwhile\"", "\"type\":\"accepted\""), "the render ran once");
        assertEquals(2, count(events, "\"jobId\":\"meanwhile\"", "\"type\":\"task-completed\""), "each image once");
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String worker : List.of("diffarm-worker-0", "diffarm-worker-1")) {
            assertTrue(metrics.contains("diffarm_worker_jobs_total{device=\"cpu\",worker=\"" + worker + "\"} 1.0"),
                    "one job each: " + metrics.lines().filter(line -> line.startsWith("diffarm_worker")).toList());
        }
    }

    private static String trainJob(String id) {
        return "{\"apiVersion\": \"diffarm/v1\", \"kind\": \"train\", \"id\": \"" + id + "\", \"model\": \""
                + TinyModel.NAME + "\", \"output\": \"faces\", \"method\": \"lora\", \"dataset\": \"faces\", "
                + "\"learningRate\": 1e-3, \"maxTrainSteps\": " + TRAIN_STEPS + ", \"trainBatchSize\": 1, "
                + "\"networkDim\": 4, \"networkAlpha\": 4, \"resolution\": 32, \"seed\": 7, \"saveEvery\": "
                + TRAIN_STEPS + "}";
    }

    private static JsonPath await(String id, Predicate<JsonPath> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonPath status = given().get("/jobs/" + id).then().statusCode(200).extract().jsonPath();
        while (!wanted.test(status) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            status = given().get("/jobs/" + id).then().statusCode(200).extract().jsonPath();
        }
        assertTrue(wanted.test(status), status.prettify());
        return status;
    }

    private static void awaitFiles(Path dir, int count) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (jobFiles(dir).size() < count && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(count, jobFiles(dir).size(), "settled: " + jobFiles(dir));
    }

    private static List<String> jobFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".json")).sorted().toList();
        }
    }

    private static long count(List<String> lines, String... parts) {
        return lines.stream().filter(line -> Stream.of(parts).allMatch(line::contains)).count();
    }
}
