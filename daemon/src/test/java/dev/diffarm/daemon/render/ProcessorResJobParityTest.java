package dev.diffarm.daemon.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.api.control.ControlPreprocessor;
import dev.diffarm.api.image.Picture;
import dev.diffarm.daemon.LocalFarm;
import dev.diffarm.daemon.TestPlugins;
import dev.diffarm.daemon.TinyEngine;
import dev.diffarm.daemon.TinyModel;
import dev.diffarm.daemon.local.LocalOutputStore;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.engine.image.PngReader;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.pipeline.ProcessorResolution;
import dev.diffarm.engine.train.data.ImageDecoder;
import dev.diffarm.engine.train.data.Rgb8Image;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A ControlNet unit's {@code processorRes} through a job is the CLI's {@code --control-processor-res}: the same PNG,
 * byte for byte, with {@code Processor Res: 64} in its unit's infotext (the unit without it says the picture's 32).
 * And the farm's Canny at a processor resolution is sd-webui-controlnet's: {@code canny-res-N.png} (beside the
 * engine's {@code ProcessorResolutionTest} references, made by the same script with Debian's OpenCV 4.6) are the
 * extension's whole canny at {@code processor_res} N, which the picture brought to N and Canny padded to 64 (what a
 * unit hands it, as {@code ProcessorResolutionTest} checks) give edge for edge.
 */
class ProcessorResJobParityTest {
    private static final String CONTROLNET = "tiny-control";
    private static final Path REFERENCES = Path.of("../engine/src/test/resources/control-resolution");
    private static final ImageDecoder DECODER = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS);

    @RegisterExtension
    static final TinyEngine tiny = new TinyEngine();

    @TempDir
    Path local;

    @ParameterizedTest
    @ValueSource(ints = {13, 33, 64, 100})
    void theFarmsCannyAtAProcessorResolutionIsTheExtensionsEdgeForEdge(int resolution) throws IOException {
        Rgb8Image source = DECODER.decode(REFERENCES.resolve("source.png"));
        Rgb8Image reference = DECODER.decode(REFERENCES.resolve("canny-res-" + resolution + ".png"));
        ControlPreprocessor canny = TestPlugins.plugins().preprocessors().named("canny");

        Picture map = canny.apply(ProcessorResolution.resize(Picture.fromRgb8(source.width(), source.height(),
                source.rgb()), resolution), Map.of(ProcessorResolution.PAD_OPTION, 1.0));

        assertEquals(List.of(reference.width(), reference.height()), List.of(map.width(), map.height()));
        byte[] mine = map.toRgb8();
        int edges = 0;
        int differing = 0;
        for (int p = 0; p < reference.width() * reference.height(); p++) {
            boolean edge = reference.rgb()[3 * p] != 0;
            edges += edge ? 1 : 0;
            differing += edge != (mine[3 * p] != 0) ? 1 : 0;
        }
        System.out.printf("canny at processor_res %d: %dx%d, %d edge pixels, %d differ from OpenCV's%n", resolution,
                map.width(), map.height(), edges, differing);
        assertTrue(edges > 50, "the reference has edges to compare");
        assertEquals(0, differing);
    }

    @Test
    void aUnitsProcessorResIsTheClisControlProcessorRes() throws IOException {
        Path controlNets = TinyModel.controlNetsDir(local.resolve("controlnet"), CONTROLNET);
        Path picture = local.resolve("edges-source.png");
        float[] chw = new float[3 * 48 * 32];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = (i * 37 % 101) / 100f;
        }
        PngWriter.write(new RgbImage(48, 32, chw), "", picture);
        OutputStore store = new LocalOutputStore(local.resolve("outputs"));
        store.put("inputs/edges.png", Files.readAllBytes(picture), "image/png");
        LocalFarm farm = new LocalFarm(local, tiny.models(), local.resolve("loras"), tiny.renderer(local.resolve("loras"),
                local.resolve("embeddings"), InputPictures.from(store), new ModeCatalogs(Optional.empty(),
                        Optional.of(new ControlNetCatalog(new ControlNetDirectory(controlNets),
                                () -> TestPlugins.plugins().preprocessors())))), store);
        String job = "{\"apiVersion\": \"diffarm/v1\", \"kind\": \"render\", \"id\": \"%s\", \"model\": \"tiny\", "
                + "\"prompts\": [\"a chair\"], \"seeds\": [3], \"steps\": 3, \"width\": 32, \"height\": 32, "
                + "\"controlnets\": [{\"model\": \"" + CONTROLNET + "\", \"image\": \"inputs/edges.png\", "
                + "\"module\": \"canny\"%s}]}";
        farm.drop("a.json", job.formatted("at64", ", \"processorRes\": 64"));
        farm.drop("b.json", job.formatted("as-is", ""));
        farm.runUntilIdle();
        assertEquals(List.of("accepted", "task-completed", "completed"), farm.events.milestones("at64"),
                () -> farm.events.of("at64").toString());

        Path cli = local.resolve("cli.png");
        CliAndDaemonParityTest.runCli("render", "--model", tiny.models().resolve(TinyModel.NAME).toString(), "--prompt",
                "a chair", "--seed", "3", "--steps", "3", "--width", "32", "--height", "32", "--controlnet",
                controlNets.resolve(CONTROLNET).toString(), "--control-image", picture.toString(),
                "--control-preprocessor", "canny", "--control-processor-res", "64", "--out", cli.toString());

        Path daemon = local.resolve("outputs/jobs/at64/t0000.png");
        String parameters = PngReader.readParameters(daemon).orElseThrow();
        System.out.println(parameters);
        assertTrue(parameters.contains("Processor Res: 64, "), parameters);
        assertArrayEquals(Files.readAllBytes(cli), Files.readAllBytes(daemon), "the CLI's PNG, byte for byte");
        assertNotEquals(PngReader.readParameters(local.resolve("outputs/jobs/as-is/t0000.png")).orElseThrow(), parameters,
                "without processorRes the unit says Processor Res: 32");
    }
}
