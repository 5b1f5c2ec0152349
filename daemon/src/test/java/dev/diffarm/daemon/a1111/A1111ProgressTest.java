package dev.diffarm.daemon.a1111;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diffarm.daemon.rest.LocalDaemonResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A1111's progress and interrupt as a client uses them: it posts a slow txt2img and, while that call waits, polls
 * {@code /sdapi/v1/progress} (as the web UI and the Krita plugin do) and then sends {@code /sdapi/v1/interrupt}.
 */
@QuarkusTest
@QuarkusTestResource(LocalDaemonResource.class)
class A1111ProgressTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void progressMovesDuringARenderAndInterruptStopsIt() throws Exception {
        // 4 images of 1,000 steps: minutes on the tiny model, so the interrupt comes well before the end.
        // Sent with a client of its own: the call waits for the render longer than RestAssured's read timeout.
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port
                        + "/sdapi/v1/txt2img")).timeout(Duration.ofMinutes(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"a slow lighthouse\", \"steps\": 1000, "
                        + "\"width\": 32, \"height\": 32, \"seed\": 7, \"batch_size\": 4}")).build();
        CompletableFuture<String> render = HttpClient.newHttpClient().sendAsync(request,
                HttpResponse.BodyHandlers.ofString()).thenApply(HttpResponse::body);

        List<Double> seen = new ArrayList<>();
        List<Integer> steps = new ArrayList<>();
        JsonNode progress = null;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (distinctPositive(steps) < 3 && System.nanoTime() < deadline) {
            progress = JSON.readTree(given().queryParam("skip_current_image", "false").get("/sdapi/v1/progress").then()
                    .statusCode(200).extract().asString());
            int step = progress.path("state").path("sampling_step").asInt();
            if (step > 0) {
                steps.add(step);
                seen.add(progress.path("progress").asDouble());
            }
            Thread.sleep(50);
        }
        System.out.printf("progress seen: steps %s, progress %s%n", steps, seen);
        assertTrue(distinctPositive(steps) >= 3, "sampling_step moved: " + steps);
        assertEquals(1000, progress.path("state").path("sampling_steps").asInt());
        assertEquals(4, progress.path("state").path("job_count").asInt());
        assertTrue(seen.get(seen.size() - 1) > seen.get(0), "progress grew: " + seen);
        assertTrue(progress.path("eta_relative").asDouble() > 0, progress.toString());
        // The first poll that wants a preview asks for the next step's latent; a later one gets it, a latent-sized PNG.
        String preview = "";
        while (preview.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            preview = JSON.readTree(given().get("/sdapi/v1/progress").then().statusCode(200).extract().asString())
                    .path("current_image").asText("");
        }
        byte[] png = java.util.Base64.getDecoder().decode(preview);
        assertEquals(16, java.nio.ByteBuffer.wrap(png, 16, 4).getInt(), "a preview one pixel per latent cell wide");
        String job = progress.path("state").path("job").asText();
        assertTrue(job.startsWith("a1111-"), job);

        given().contentType("application/json").post("/sdapi/v1/interrupt").then().statusCode(200);
        String answer = render.get(5, TimeUnit.MINUTES);
        JsonNode images = JSON.readTree(answer).path("images");
        assertTrue(images.isArray() && images.size() < 4, "the interrupted call answers what was stored: " + answer);
        given().get("/jobs/" + job).then().statusCode(200).body("state", org.hamcrest.Matchers.equalTo("cancelled"));
        given().get("/sdapi/v1/progress").then().statusCode(200).body("state.job", org.hamcrest.Matchers.equalTo(""));
    }

    private static long distinctPositive(List<Integer> steps) {
        return steps.stream().distinct().count();
    }
}
