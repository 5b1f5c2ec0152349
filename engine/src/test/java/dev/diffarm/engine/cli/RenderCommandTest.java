package dev.diffarm.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.engine.image.ModelHash;

import dev.diffarm.engine.image.PngReader;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.plugins.SamplerPlugins;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The reference runs reproduced through the command line from the seed alone, with the samplers of the built
 * plugins: the final latents, the image and the PNG's parameters text, for the diffusers folder and both
 * single-file checkpoints, and a schedule given apart from the sampler.
 */
class RenderCommandTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({
            "run-Euler_a-7steps, Euler a, , model, ",
            "run-DDIM-7steps, DDIM, , model, ",
            "run-DPMpp_2M_Karras-7steps, DPM++ 2M, karras, model, ",
            "run-Euler_a-7steps, Euler a, , model.safetensors, model",
            "run-DDIM-7steps, DDIM, , model-fp16.safetensors, model"})
    void reproducesTheReferenceRun(String run, String sampler, String schedule, String model, String config)
            throws IOException {
        Path png = dir.resolve("out.png");
        Path latents = dir.resolve("latents.safetensors");
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("render",
                "--model", Fixtures.sdTiny(model).toString(),
                "--prompt", "a painting of a cat in the snow", "--negative", "ugly, blurry",
                "--sampler", sampler, "--steps", "7", "--cfg", "7.5", "--seed", "42",
                "--width", "32", "--height", "32", "--out", png.toString(), "--latents-out", latents.toString()));
        if (config != null) {
            args.addAll(java.util.List.of("--config", Fixtures.sdTiny(config).toString()));
        }
        if (schedule != null) {
            args.addAll(java.util.List.of("--schedule", schedule));
        }
        CommandLineRun result = CommandLineRun.of(args.toArray(String[]::new));
        assertEquals(0, result.exitCode(), result.err());

        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny(run + ".safetensors"));
             SafetensorsFile ours = SafetensorsFile.open(latents)) {
            assertEquals(java.util.Arrays.toString(reference.info("final_latents").shape()),
                    java.util.Arrays.toString(ours.info("latents").shape()));
            Parity.assertClose(run + " via " + model + " final latents", reference.floats("final_latents"),
                    ours.floats("latents"), 1e-3);
            RgbImage image = PngReader.readImage(png);
            Parity.assertClose(run + " via " + model + " image (8-bit)", reference.floats("image"), image.chw(), 1.0 / 255);
        }
        String parameters = PngReader.readParameters(png).orElseThrow();
        assertTrue(parameters.startsWith("a painting of a cat in the snow\nNegative prompt: ugly, blurry\n"), parameters);
        String samplerFields = sampler + (schedule == null ? "" : ", Schedule type: Karras");
        assertTrue(parameters.contains("Steps: 7, Sampler: " + samplerFields + ", CFG scale: 7.5, Seed: 42, Size: 32x32, "
                + "Model hash: "), parameters);
    }

    /** A plugin jar dropped into the plugins directory renders, and a sampler's eta reaches the PNG's parameters. */
    @ParameterizedTest
    @CsvSource({"DPM++ 2S a, , 'Sampler: DPM++ 2S a, CFG'", "DDIM, 0.5, 'Sampler: DDIM, CFG'",
            "DPM++ 2S a Karras, 0, 'Sampler: DPM++ 2S a, Schedule type: Karras, CFG'"})
    void rendersWithAPluginDroppedIn(String sampler, String eta, String expected) throws IOException {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Path built = SamplerPlugins.directory(Optional.empty());
        Path example = Paths.get(System.getProperty("diffarm.example.plugin.dir")).resolve("diffarm-example-sampler.jar");
        for (Path jar : List.of(built.resolve("diffarm-samplers-k.jar"), built.resolve("diffarm-samplers-classic.jar"),
                example)) {
            Files.copy(jar, plugins.resolve(jar.getFileName()));
        }
        Path png = dir.resolve("out.png");
        List<String> args = new ArrayList<>(List.of("render", "--plugins-dir", plugins.toString(),
                "--model", Fixtures.sdTiny("model").toString(), "--prompt", "a cat", "--sampler", sampler,
                "--steps", "4", "--seed", "7", "--width", "32", "--height", "32", "--out", png.toString()));
        if (eta != null) {
            args.addAll(List.of("--eta", eta));
        }
        CommandLineRun result = CommandLineRun.of(args.toArray(String[]::new));
        assertEquals(0, result.exitCode(), result.err());
        String parameters = PngReader.readParameters(png).orElseThrow();
        assertTrue(parameters.contains(expected), parameters);
        assertEquals(eta != null, parameters.contains(", Eta: " + eta), parameters);
    }

    /** A1111 records the embeddings' short hashes, and an emphasis mode other than its default. */
    @Test
    void parametersRecordEmbeddingsAndEmphasis() throws IOException {
        Path embeddings = Files.createDirectories(dir.resolve("embeddings"));
        Files.copy(Fixtures.sdTiny("zwx-style.safetensors"), embeddings.resolve("zwx-style.safetensors"));
        Path png = dir.resolve("out.png");
        CommandLineRun result = CommandLineRun.of("render", "--model", Fixtures.sdTiny("model").toString(),
                "--prompt", "(a photo of zwx-style person) [cat:dog:0.5]", "--negative", "[blurry|ugly]",
                "--embeddings-dir", embeddings.toString(), "--no-emphasis",
                "--steps", "2", "--seed", "1", "--width", "32", "--height", "32", "--out", png.toString());
        assertEquals(0, result.exitCode(), result.err());
        String hash = ModelHash.sha256(embeddings.resolve("zwx-style.safetensors")).substring(0, 12);
        String parameters = PngReader.readParameters(png).orElseThrow();
        assertTrue(parameters.endsWith(", Emphasis: None, TI hashes: \"zwx-style: " + hash + "\""), parameters);
    }

    @Test
    void missingEmbeddingsFolderIsAUsageError() {
        CommandLineRun result = CommandLineRun.of("render", "--model", Fixtures.sdTiny("model").toString(),
                "--prompt", "a cat", "--embeddings-dir", dir.resolve("nope").toString(), "--steps", "1",
                "--width", "32", "--height", "32", "--out", dir.resolve("x.png").toString());
        assertEquals(2, result.exitCode());
        assertTrue(result.err().contains("embeddings folder " + dir.resolve("nope") + " does not exist"), result.err());
    }
}
