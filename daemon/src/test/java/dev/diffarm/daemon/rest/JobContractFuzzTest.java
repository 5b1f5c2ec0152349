package dev.diffarm.daemon.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diffarm.daemon.TinyModel;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the job contract and the job endpoints with QuickTheories (a property-based testing library that runs
 * inside any JUnit test, so inside a {@code @QuarkusTest}): thousands of malformed requests from
 * {@link MalformedRequests}, each of which must be answered with a 4xx whose JSON names the problem, never a 5xx;
 * then the daemon must still be alive and render a good job.
 *
 * <p>{@code -Ddiffarm.fuzz.tries=N} runs more (or fewer) tries, {@code -Ddiffarm.fuzz.seed=S} other ones; a failure
 * prints the smallest request QuickTheories shrank it to, and the seed.
 */
@QuarkusTest
@TestProfile(FuzzProfile.class)
@QuarkusTestResource(LocalDaemonResource.class)
class JobContractFuzzTest {
    private static final int TRIES = Integer.getInteger("diffarm.fuzz.tries", 3000);
    private static final long SEED = Long.getLong("diffarm.fuzz.seed", 14L);
    /** An answer that names the problem, without echoing a large body back. */
    private static final int MAX_ANSWER_BYTES = 16_384;
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<Integer, Integer> statuses = new TreeMap<>();
    private final Map<String, Integer> families = new TreeMap<>();

    @Test
    void everyMalformedRequestIsA4xxNamingTheProblemAndTheDaemonRendersAfter() throws Exception {
        fuzz("jobs", MalformedRequests.any());

        given().get("/q/health/live").then().statusCode(200);
        String id = "fuzz-after";
        given().contentType("application/json").body(TinyModel.renderJob(id, "[\"a cat\"]", "[5]", 2)).post("/jobs")
                .then().statusCode(202);
        long deadline = System.nanoTime() + WAIT.toNanos();
        String state = "";
        while (!state.equals("completed") && System.nanoTime() < deadline) {
            Thread.sleep(100);
            state = given().get("/jobs/" + id).then().statusCode(200).extract().path("state");
        }
        assertEquals("completed", state);
        given().get("/jobs/" + id).then().body("tasksCompleted", equalTo(1));
    }

    /**
     * The A1111 endpoints ({@code /sdapi/v1/txt2img}, {@code png-info}, {@code options}) under the same mutations and
     * A1111's own refused values; then a good txt2img request, as A1111's documentation writes one, renders.
     */
    @Test
    void everyMalformedA1111RequestIsA4xxNamingTheProblemAndTxt2ImgRendersAfter() throws IOException {
        fuzz("a1111", MalformedRequests.a1111());
        given().get("/q/health/live").then().statusCode(200);
        String answer = given().contentType("application/json")
                .body("{\"prompt\": \"a cat\", \"steps\": 2, \"width\": 32, \"height\": 32, \"seed\": 5}")
                .post("/sdapi/v1/txt2img").then().statusCode(200).extract().asString();
        JsonNode images = JSON.readTree(answer).path("images");
        assertEquals(1, images.size(), answer.length() > 300 ? answer.substring(0, 300) : answer);
    }

    private void fuzz(String name, org.quicktheories.core.Gen<MalformedRequests.Request> requests) {
        long start = System.nanoTime();
        qt().withFixedSeed(SEED).withExamples(TRIES).withShrinkCycles(200)
                .forAll(requests).checkAssert(this::answeredAsAClientError);
        double seconds = (System.nanoTime() - start) / 1e9;
        int sent = statuses.values().stream().mapToInt(Integer::intValue).sum();
        System.out.printf("fuzz %s: %d tries (seed %d), %d requests in %.1f s; status codes %s; mutations %s%n",
                name, TRIES, SEED, sent, seconds, statuses, families);
        assertFalse(statuses.keySet().stream().anyMatch(status -> status >= 500), statuses.toString());
    }

    private void answeredAsAClientError(MalformedRequests.Request request) {
        HttpResponse<byte[]> response = send(request);
        int status = response.statusCode();
        statuses.merge(status, 1, Integer::sum);
        families.merge(request.family(), 1, Integer::sum);
        String answer = new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(status >= 400 && status < 500, "answered " + status + ": " + answer);
        assertTrue(response.body().length <= MAX_ANSWER_BYTES, "an answer of " + response.body().length + " bytes");
        JsonNode errors;
        try {
            errors = JSON.readTree(response.body()).path("errors");
        } catch (IOException e) {
            throw new AssertionError("answered " + status + " without a JSON body: " + answer, e);
        }
        assertTrue(errors.isArray() && !errors.isEmpty() && !errors.get(0).path("message").asText().isBlank(),
                "answered " + status + " without naming the problem: " + answer);
    }

    private HttpResponse<byte[]> send(MalformedRequests.Request request) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port
                + request.path())).timeout(Duration.ofSeconds(30));
        if (!request.contentType().isEmpty()) {
            builder.header("Content-Type", request.contentType());
        }
        builder.method(request.method(), request.body().length == 0 && !request.method().equals("POST")
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(request.body()));
        try {
            return http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("the daemon did not answer " + request, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
