package dev.diffarm.daemon.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.TinyModel;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The REST limits beyond authentication: event streams per tenant and their idle timeout, the submission rate. */
@QuarkusTest
@TestProfile(LimitsProfile.class)
@QuarkusTestResource(LocalDaemonResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestLimitsTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Inject
    EventStreams streams;

    /** Before the rate test, which spends the submissions this one needs. */
    @Test
    @Order(1)
    void eventStreamsAreBoundedPerTenantAndIdleOnesClosed() throws Exception {
        // A long job keeps the one worker busy; the second waits queued and has no event to send.
        String prompts = IntStream.range(0, 10).mapToObj(i -> "\"busy " + i + "\"").collect(Collectors.joining(",", "[", "]"));
        given().contentType("application/json").body(TinyModel.renderJob("limits-busy", prompts, "[1]", 1000))
                .post("/jobs").then().statusCode(202);
        given().contentType("application/json").body(TinyModel.renderJob("limits-waiting", "[\"a\"]", "[1]", 2))
                .post("/jobs").then().statusCode(202);
        try {
            long opened = System.nanoTime();
            CompletableFuture<HttpResponse<String>> first = stream("limits-waiting");
            CompletableFuture<HttpResponse<String>> second = stream("limits-waiting");
            awaitOpenStreams(LimitsProfile.STREAMS);
            given().accept("text/event-stream").get("/jobs/limits-waiting/events").then().statusCode(429)
                    .body("errors[0].code", equalTo("too-many-streams"))
                    .body("errors[0].message", containsString("the limit is 2 (DIFFARM_SSE_STREAMS_PER_TENANT)"));

            // Idle for 2 s: the daemon ends both streams itself, and their slots are free again.
            assertEquals(200, first.get(30, TimeUnit.SECONDS).statusCode());
            assertEquals(200, second.get(30, TimeUnit.SECONDS).statusCode());
            double seconds = (System.nanoTime() - opened) / 1e9;
            System.out.printf("two idle event streams closed by the daemon after %.1f s (idle timeout 2 s)%n", seconds);
            assertTrue(seconds >= 2, seconds + " s");
            CompletableFuture<HttpResponse<String>> again = stream("limits-waiting");
            assertEquals(200, again.get(30, TimeUnit.SECONDS).statusCode());
        } finally {
            given().delete("/jobs/limits-waiting");
            given().delete("/jobs/limits-busy");
        }
    }

    @Test
    @Order(2)
    void submissionsBeyondTheRateAre429WithRetryAfter() {
        Response refused = null;
        int sent = 0;
        while (refused == null && sent <= LimitsProfile.BURST) {
            Response answer = given().contentType("application/json").body("{nope").post("/jobs");
            sent++;
            if (answer.statusCode() == 429) {
                refused = answer;
            } else {
                assertEquals(400, answer.statusCode(), answer.asString());
            }
        }
        assertTrue(refused != null, "no 429 after " + sent + " submissions, with a burst of " + LimitsProfile.BURST);
        refused.then().body("errors[0].code", equalTo("rate-limited"))
                .body("errors[0].message", containsString("faster than 0.2 jobs per second (bursts of 5"));
        long retryAfter = Long.parseLong(refused.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 5, "Retry-After: " + retryAfter);
        // Reading and cancelling are not submissions.
        given().get("/jobs/never-submitted").then().statusCode(404);
    }

    private CompletableFuture<HttpResponse<String>> stream(String id) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + "/jobs/" + id
                + "/events")).header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Waits until the daemon holds {@code count} streams: the requests above are sent asynchronously. */
    private void awaitOpenStreams(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (streams.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(count, streams.size());
    }
}
