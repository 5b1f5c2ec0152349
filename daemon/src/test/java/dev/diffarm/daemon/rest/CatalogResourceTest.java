package dev.diffarm.daemon.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;

import dev.diffarm.daemon.TinyModel;
import dev.diffarm.farm.config.Limits;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** What the daemon tells a producer over HTTP about what a job may name: schedules, preprocessors and embeddings. */
@QuarkusTest
@QuarkusTestResource(LocalDaemonResource.class)
class CatalogResourceTest {
    @ConfigProperty(name = "diffarm.home")
    String home;

    @Test
    void listsTheSchedulesWithTheSamplers() {
        given().get("/plugins").then().statusCode(200)
                .body("schedules.name", hasItems("Exponential", "Karras"))
                .body("schedules.find { it.name == 'Karras' }.plugin", equalTo("samplers-k"))
                .body("samplers.name", hasItem("Euler a"))
                .body("hiresUpscalers.findAll { it.kind == 'latent' }.name", equalTo(Limits.HIRES_UPSCALERS))
                .body("hiresUpscalers.findAll { it.kind == 'resampler' }.name", equalTo(List.of("Lanczos", "Nearest")))
                .body("hiresUpscalers.findAll { it.kind == 'model' }.name", equalTo(List.of("esrgan-x4")))
                .body("upscalers.findAll { it.kind == 'resampler' }.name", equalTo(List.of("Lanczos", "Nearest")))
                .body("upscalers.findAll { it.kind == 'architecture' }.name", equalTo(List.of("ESRGAN")))
                .body("upscalers.findAll { it.kind == 'sd-x4' }.name", equalTo(List.of(LocalDaemonResource.SD_X4)))
                .body("hiresUpscalers.name", org.hamcrest.Matchers.not(hasItem(LocalDaemonResource.SD_X4)));
    }

    @Test
    void listsTheControlNetsOfItsFolder() {
        given().get("/controlnets").then().statusCode(200)
                .body("models.name", org.hamcrest.Matchers.equalTo(List.of(LocalDaemonResource.CONTROLNET)))
                .body("models[0].format", org.hamcrest.Matchers.equalTo("diffusers"))
                .body("dir", org.hamcrest.Matchers.endsWith("controlnet"));
    }

    @Test
    void listsThePreprocessorsWithTheirOptions() {
        given().get("/plugins").then().statusCode(200)
                .body("preprocessors.name", equalTo(List.of("canny", "none")))
                .body("controlNets", equalTo(List.of(LocalDaemonResource.CONTROLNET)))
                .body("preprocessors.find { it.name == 'canny' }.plugin", equalTo("preprocessors"))
                .body("preprocessors.find { it.name == 'canny' }.options.low_threshold", equalTo(100.0f))
                .body("preprocessors.find { it.name == 'canny' }.options.high_threshold", equalTo(200.0f))
                .body("preprocessors.find { it.name == 'none' }.options", equalTo(java.util.Map.of()));
    }

    /** The embeddings folder defaults to {@code <home>/embeddings} and is read on each request. */
    @Test
    void listsTheEmbeddingsCopiedIn() throws IOException {
        Path embeddings = Path.of(home, "embeddings");
        given().get("/embeddings").then().statusCode(200)
                .body("dir", equalTo(embeddings.toString()))
                .body("names", equalTo(List.of()));

        Files.createDirectories(embeddings);
        Files.copy(TinyModel.source().getParent().resolve("zwx-style.safetensors"),
                embeddings.resolve("zwx-style.safetensors"));
        given().get("/embeddings").then().statusCode(200).body("names", equalTo(List.of("zwx-style")));
    }
}
