package dev.diffarm.farm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UpscaleJobTest {
    private final JobParser parser = new JobParser();

    @Test
    void anUpscaleJobParsesWithA1111sDefaults() {
        UpscaleJob job = (UpscaleJob) parser.parse("""
                {"apiVersion": "diffarm/v1", "kind": "upscale", "id": "sneaker-large", "upscaler": "RealESRGAN_x4plus",
                 "images": ["inputs/products/sneaker.png", "inputs/products/boot.png"]}
                """).orElseThrow();

        assertEquals(new UpscaleJob("sneaker-large", List.of(new StoredImage("inputs/products/sneaker.png"),
                new StoredImage("inputs/products/boot.png")), "RealESRGAN_x4plus", 4, 192, 8), job);
        assertEquals(2, job.taskCount());
        assertEquals(List.of("t0000", "t0001"), job.taskIds());
        assertEquals("jobs/sneaker-large/t0001.png", job.imageKey(1));
        assertEquals("jobs/sneaker-large/t0001.json", job.sidecarKey(1));
    }

    @Test
    void anUpscaleJobWrittenAsJsonParsesBackToItself() {
        UpscaleJob job = new UpscaleJob("u.1", List.of(new StoredImage("inputs/a.png")), "R-ESRGAN 4x+", 2.5, 0, 0);
        assertEquals(job, parser.parse(job.toJson()).orElseThrow(), job.toJson());
    }

    @Test
    void eachPicturesHashCoversWhatDecidesItsOutputAndNothingElse() {
        UpscaleJob job = UpscaleJob.of("u", List.of(new StoredImage("inputs/a.png"), new StoredImage("inputs/b.png")),
                "Lanczos");
        assertEquals("{\"image\":\"inputs/a.png\",\"scale\":4.0,\"tile\":192,\"tileOverlap\":8,\"upscaler\":\"Lanczos\"}",
                job.parametersJson(0));
        assertNotEquals(job.parameterHash(0), job.parameterHash(1));
        assertEquals(job.parameterHash(1), TaskSpec.storedParameterHash(job.sidecarJson(1)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)).orElseThrow(), "the sidecar records the hash");
        assertEquals(job.parameterHash(1), UpscaleJob.of("another-id", List.of(new StoredImage("inputs/b.png")),
                "Lanczos").parameterHash(0), "the job's id and the picture's place are not what decides the output");
        assertNotEquals(job.parameterHash(0), new UpscaleJob("u", List.of(new StoredImage("inputs/a.png")), "Lanczos",
                4, 0, 8).parameterHash(0));
    }

    @Test
    void anUnknownUpscalerIsRefusedListingTheKnownOnes() {
        JobParser checked = new JobParser(Catalog.of(Map.of(Catalog.Kind.UPSCALER, List.of("Lanczos", "Nearest",
                "4x-UltraSharp"))));
        ParseResult result = checked.parse("""
                {"apiVersion": "diffarm/v1", "kind": "upscale", "id": "u", "upscaler": "4x-Ultrasharp",
                 "images": ["inputs/a.png"]}
                """);
        ValidationError error = ((ParseResult.Invalid) result).errors().get(0);
        assertEquals("upscaler", error.field().orElseThrow());
        assertEquals("upscaler = \"4x-Ultrasharp\": expected an upscaler this farm has: Lanczos, Nearest, 4x-UltraSharp",
                error.message());
    }

    @Test
    void aJobBuiltInJavaIsCheckedByTheSameRules() {
        List<ImageInput> one = List.of(new StoredImage("inputs/a.png"));
        assertEquals("tileOverlap = 16: expected less than tile (16)", assertThrows(IllegalArgumentException.class,
                () -> new UpscaleJob("u", one, "Lanczos", 4, 16, 16)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new UpscaleJob("u", List.of(), "Lanczos", 4, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new UpscaleJob("u", one, "Lanczos", 0.5, 0, 0));
    }
}
