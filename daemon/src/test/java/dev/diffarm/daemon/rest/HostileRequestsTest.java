package dev.diffarm.daemon.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.TinyModel;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Requests written to hurt the daemon: each refused at intake with a short answer naming the problem. */
@QuarkusTest
@QuarkusTestResource(LocalDaemonResource.class)
class HostileRequestsTest {
    /** Only the headers are sent: the daemon answers from the declared length, before any of the body. */
    @Test
    void aBodyOverTheHardCapIs413BeforeItIsRead() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("POST /jobs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + 5 * 1024 * 1024 + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String statusLine = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            assertEquals("HTTP/1.1 413 Request Entity Too Large", statusLine);
        }
    }

    /** Found by the fuzz test: a job's bytes sent as text or a form were queued and rendered. */
    @Test
    void aJobNotSentAsJsonIs415NamingTheExpectedType() {
        String job = TinyModel.renderJob("rest-form", "[\"a\"]", "[1]", 2);
        given().contentType("text/plain").body(job).post("/jobs").then().statusCode(415)
                .body("errors[0].code", equalTo("unsupported-media-type"))
                .body("errors[0].message", equalTo("Content-Type text/plain: expected application/json"));
        given().contentType("application/x-www-form-urlencoded").body(job).post("/jobs").then().statusCode(415);
        given().get("/jobs/rest-form").then().statusCode(404);
        given().contentType("application/json; charset=utf-8").body(job).post("/jobs").then().statusCode(202);
    }

    /** Issue 14: a 4096x4096 job of 1,000 steps was accepted and grew the daemon out of memory. */
    @Test
    void aJobBeyondTheNodesBudgetIsRefusedWithTheEstimateAndTheLimit() {
        given().contentType("application/json").body(TinyModel.renderJob("rest-4096", "[\"a\"]", "[1]", 1000)
                        .replace("\"width\": 32, \"height\": 32", "\"width\": 4096, \"height\": 4096"))
                .post("/jobs").then().statusCode(400)
                .body("errors.code", hasItem("over-budget"))
                .body("errors.find { it.field == 'steps' }.message", equalTo("steps = 1000 at 4096x4096: 16777 "
                        + "megapixel-steps per image: expected at most 2000 (DIFFARM_ADMIT_MAX_TASK_MEGAPIXEL_STEPS)"));
        given().get("/jobs/rest-4096").then().statusCode(200).body("state", equalTo("rejected"));
    }

    @Test
    void aValidJobOverTheJobLimitIs413NamingTheLimit() {
        String prompts = IntStream.range(0, 120).mapToObj(i -> "\"" + i + " " + "x".repeat(9000) + "\"")
                .collect(Collectors.joining(",", "[", "]"));
        given().contentType("application/json").body(TinyModel.renderJob("rest-huge", prompts, "[1]", 2)).post("/jobs")
                .then().statusCode(413)
                .body("errors[0].code", equalTo("too-large"))
                .body("errors[0].message", containsString("bytes: expected at most 1000000 (DIFFARM_MAX_JOB_BYTES)"));
    }

    @Test
    void aHundredThousandSeedsGetAShortAnswerAndLeaveASmallRecord() {
        String seeds = IntStream.range(0, 100_000).mapToObj(Integer::toString).collect(Collectors.joining(",", "[", "]"));
        String answer = given().contentType("application/json").body(TinyModel.renderJob("rest-seeds", "[\"a\"]", seeds, 2))
                .post("/jobs").then().statusCode(400).body("errors[0].field", equalTo("seeds")).extract().asString();
        assertTrue(answer.length() < 1000, answer.length() + " characters: " + answer);
        String record = given().get("/jobs/rest-seeds").then().statusCode(200).body("state", equalTo("rejected"))
                .extract().asString();
        assertTrue(record.length() < 1000, record.length() + " characters: " + record);
    }

    @Test
    void controlCharactersAndBrokenLoraTagsAreRefusedNamingTheField() {
        given().contentType("application/json").body(TinyModel.renderJob("rest-nul", "[\"a\\u0000cat\"]", "[1]", 2))
                .post("/jobs").then().statusCode(400).body("errors[0].field", equalTo("prompts[0]"))
                .body("errors[0].message", containsString("no control characters but tab and newline (U+0000 at index 1)"));
        given().contentType("application/json")
                .body(TinyModel.renderJob("rest-tag", "[\"a <lora:grain\\nSteps: 99, Seed: 1>\"]", "[1]", 2))
                .post("/jobs").then().statusCode(400).body("errors[0].field", equalTo("prompts[0]"))
                .body("errors[0].message", containsString("expected LoRA tags written <lora:NAME> or <lora:NAME:WEIGHT>"));
    }

    @Test
    void hugeExponentsAndDeepNestingAreRefusedFast() {
        long start = System.nanoTime();
        String seeds = IntStream.range(0, 2000).mapToObj(i -> "1e" + (90_000 + i)).collect(Collectors.joining(",", "[", "]"));
        given().contentType("application/json").body(TinyModel.renderJob("rest-exp", "[\"a\"]", seeds, 2)).post("/jobs")
                .then().statusCode(400).body("errors[0].field", equalTo("seeds[0]"));
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("a body of 2000 numbers like 1e99999 answered in %.3f s%n", seconds);
        assertTrue(seconds < 10, "took " + seconds + " s");
        String nested = "[".repeat(100) + "]".repeat(100);
        given().contentType("application/json").body("{\"a\": " + nested + "}").post("/jobs").then().statusCode(400)
                .body("errors[0].code", equalTo("not-json"));
    }
}
