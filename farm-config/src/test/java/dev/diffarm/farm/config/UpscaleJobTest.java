package dev.diffarm.farm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void anSdX4UpscaleTakesTheRenderFieldsAsGivenWithDiffusersDefaults() {
        UpscaleJob job = (UpscaleJob) parser.parse("""
                {"apiVersion": "diffarm/v1", "kind": "upscale", "id": "sharp", "upscaler": "x4-upscaler",
                 "images": ["inputs/a.png"], "prompt": "a red sneaker", "steps": 30, "noiseLevel": 40}
                """).orElseThrow();

        assertEquals(List.of("prompt", "steps", "noiseLevel"), job.diffusion().given());
        assertEquals(new SdUpscaleFields.Resolved("a red sneaker", "", "DDIM", 30, 9.0, Defaults.seedFor("sharp"), 40),
                job.diffusion().resolve(job.id()));
        assertEquals(new SdUpscaleFields.Resolved("", "", "DDIM", 75, 9.0, Defaults.seedFor("plain"), 20),
                SdUpscaleFields.NONE.resolve("plain"), "diffusers' defaults");
        assertEquals(job, parser.parse(job.toJson()).orElseThrow(), job.toJson());
        assertEquals("{\"image\":\"inputs/a.png\",\"noiseLevel\":40,\"prompt\":\"a red sneaker\",\"scale\":4.0,"
                + "\"steps\":30,\"tile\":192,\"tileOverlap\":8,\"upscaler\":\"x4-upscaler\"}", job.parametersJson(0));
    }

    @Test
    void renderFieldsOutsideTheirRangesAreRefusedNamingTheField() {
        ParseResult result = parser.parse("""
                {"apiVersion": "diffarm/v1", "kind": "upscale", "id": "u", "upscaler": "x4", "images": ["inputs/a.png"],
                 "noiseLevel": 351, "steps": 0, "cfg": -1, "seed": -3}
                """);
        List<String> messages = ((ParseResult.Invalid) result).errors().stream().map(ValidationError::message).toList();
        System.out.println(messages);
        assertEquals(List.of("noiseLevel = 351: expected an integer in 0..350", "steps = 0: expected an integer in 1..1000",
                "cfg = -1: expected a number in 0..100",
                "seed = -3: expected an integer in 0..4294967295 (an unsigned 32-bit seed)"), messages);
        assertEquals("noiseLevel = 400: expected an integer in 0..350", assertThrows(IllegalArgumentException.class,
                () -> new SdUpscaleFields(java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(),
                        java.util.OptionalInt.empty(), java.util.OptionalDouble.empty(), java.util.OptionalLong.empty(),
                        java.util.OptionalInt.of(400))).getMessage());
    }

    @Test
    void anImageUpscalerRefusesRenderFieldsNamingTheFirst() {
        JobParser checked = new JobParser(Catalog.of(Map.of(Catalog.Kind.UPSCALER, List.of("Lanczos", "x4-upscaler"),
                Catalog.Kind.DIFFUSION_UPSCALER, List.of("x4-upscaler"), Catalog.Kind.SAMPLER, List.of("DDIM", "Euler a"))));
        ParseResult refused = checked.parse("""
                {"apiVersion": "diffarm/v1", "kind": "upscale", "id": "u", "upscaler": "Lanczos", "images": ["inputs/a.png"],
                 "steps": 30, "noiseLevel": 40}
                """);
        ValidationError error = ((ParseResult.Invalid) refused).errors().get(0);
        assertEquals("steps", error.field().orElseThrow());
        assertEquals("steps = 30: expected no render fields with the image upscaler \"Lanczos\" (given: steps, noiseLevel); "
                + "only an SD x4 upscaler takes them (this farm has: x4-upscaler)", error.message());

        ParseResult wrongSampler = checked.parse("""
                {"apiVersion": "diffarm/v1", "kind": "upscale", "id": "u", "upscaler": "x4-upscaler",
                 "images": ["inputs/a.png"], "sampler": "Eular a"}
                """);
        assertEquals("sampler = \"Eular a\": expected a sampler this farm has: DDIM, Euler a",
                ((ParseResult.Invalid) wrongSampler).errors().get(0).message());
        assertInstanceOf(ParseResult.Valid.class, checked.parse("""
                {"apiVersion": "diffarm/v1", "kind": "upscale", "id": "u", "upscaler": "x4-upscaler",
                 "images": ["inputs/a.png"], "sampler": "Euler a", "prompt": ""}
                """));
    }

    @Test
    void anSdX4UpscalerIsNoHiresUpscaler() {
        JobParser checked = new JobParser(Catalog.of(Map.of(Catalog.Kind.UPSCALER, List.of("Lanczos", "x4-upscaler"),
                Catalog.Kind.DIFFUSION_UPSCALER, List.of("x4-upscaler"))));
        ParseResult result = checked.parse("""
                {"apiVersion": "diffarm/v1", "kind": "render", "id": "r", "model": "m", "prompts": ["p"],
                 "enableHr": true, "hrUpscaler": "x4-upscaler"}
                """);
        ValidationError error = ((ParseResult.Invalid) result).errors().get(0);
        assertEquals("hrUpscaler", error.field().orElseThrow());
        assertTrue(error.message().startsWith("hrUpscaler = \"x4-upscaler\": expected a hires upscaler this farm has"),
                error.message());
    }
}
