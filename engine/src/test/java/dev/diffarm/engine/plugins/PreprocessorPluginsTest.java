package dev.diffarm.engine.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.diffarm.api.control.ControlPreprocessor;
import dev.diffarm.api.image.Picture;
import dev.diffarm.engine.control.ControlPreprocessors;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The preprocessors plugin as the engine loads it (its built jar, through PF4J): its extensions are found by name,
 * and its Canny maps equal OpenCV's ({@code gen-canny.safetensors}: cv2.Canny and sd-webui-controlnet's control
 * image and padded processor) pixel for pixel.
 */
class PreprocessorPluginsTest {
    private static SamplerPlugins plugins;
    private static SafetensorsFile reference;

    @BeforeAll
    static void load() {
        plugins = new SamplerPlugins(SamplerPlugins.directory(Optional.empty()));
        reference = SafetensorsFile.open(Fixtures.sdTiny("gen-canny.safetensors"));
    }

    @AfterAll
    static void close() {
        reference.close();
        plugins.close();
    }

    @Test
    void theBuiltPluginProvidesCannyAndNoneFoundIgnoringCase() {
        ControlPreprocessors preprocessors = plugins.preprocessors();
        assertEquals(List.of("canny", "none"), preprocessors.names());
        assertEquals("canny", preprocessors.named("Canny").name());
        assertEquals(List.of("preprocessors", "preprocessors"),
                preprocessors.entries().stream().map(e -> e.origin().pluginId()).toList());
        assertEquals("control preprocessor 'depth' is not available; expected one of [canny, none]",
                assertThrows(IllegalArgumentException.class, () -> preprocessors.named("depth")).getMessage());
    }

    @Test
    void aDirectoryWithoutThePluginSaysSo(@TempDir Path empty) throws IOException {
        Files.copy(PluginJars.built("diffarm-samplers-classic.jar"), empty.resolve("samplers-classic.jar"));
        try (SamplerPlugins others = new SamplerPlugins(empty)) {
            assertEquals("control preprocessor 'canny' is not available; expected one of [] (no preprocessor plugin "
                    + "is loaded: is the plugins directory right?)", assertThrows(IllegalArgumentException.class,
                    () -> others.preprocessors().named("canny")).getMessage());
        }
    }

    /** The fixture's uint8 RGB image [H, W, 3] (stored as float32) as a picture. */
    private static Picture input(String image) {
        long[] shape = reference.info(image + ".input").shape();
        float[] values = reference.floats(image + ".input");
        byte[] rgb = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            rgb[i] = (byte) Math.round(values[i]);
        }
        return Picture.fromRgb8((int) shape[1], (int) shape[0], rgb);
    }

    /** How many of the map's pixels differ from the reference's [H, W] map of 0 / 255; the channels must agree. */
    private static int differingPixels(float[] expected255, Picture map) {
        int plane = map.width() * map.height();
        assertEquals(expected255.length, plane);
        int differing = 0;
        for (int p = 0; p < plane; p++) {
            float value = map.chw()[p];
            assertEquals(value, map.chw()[plane + p]);
            assertEquals(value, map.chw()[2 * plane + p]);
            if (value * 255f != expected255[p]) {
                differing++;
            }
        }
        return differing;
    }

    private static int edgePixels(float[] map255) {
        int edges = 0;
        for (float v : map255) {
            edges += v == 255f ? 1 : 0;
        }
        return edges;
    }

    @ParameterizedTest(name = "{0} thresholds {1}, {2}")
    @CsvSource({"img0, 100, 200", "img0, 50, 150", "img1, 100, 200", "img1, 50, 150"})
    void cannyEqualsOpenCvPixelForPixel(String image, int low, int high) {
        ControlPreprocessor canny = plugins.preprocessors().named("canny");
        Map<String, Double> thresholds = Map.of("low_threshold", (double) low, "high_threshold", (double) high);
        Picture map = canny.apply(input(image), thresholds);

        String suffix = "_" + low + "_" + high;
        float[] expected = reference.floats(image + ".canny" + suffix);
        int differing = differingPixels(expected, map);
        System.out.printf("parity canny %s %d/%d: %d of %d pixels differ (%d edge pixels)%n", image, low, high,
                differing, expected.length, edgePixels(expected));
        assertEquals(0, differing, "pixels differing from cv2.Canny");

        float[] control = reference.floats(image + ".control" + suffix);
        assertEquals(0, mismatches(control, map.chw()), "values differing from the control image [1, 3, H, W]");

        Map<String, Double> padded = Map.of("low_threshold", (double) low, "high_threshold", (double) high,
                "pad_to_64", 1.0);
        float[] expectedPadded = reference.floats(image + ".canny_pad64" + suffix);
        int differingPadded = differingPixels(expectedPadded, canny.apply(input(image), padded));
        System.out.printf("parity canny pad64 %s %d/%d: %d of %d pixels differ (the padded map differs from the "
                + "plain one in %d)%n", image, low, high, differingPadded, expected.length,
                mismatches(expected, expectedPadded));
        assertEquals(0, differingPadded, "pixels differing from the extension's padded processor");
    }

    private static int mismatches(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        int count = 0;
        for (int i = 0; i < expected.length; i++) {
            count += expected[i] == actual[i] ? 0 : 1;
        }
        return count;
    }

    @Test
    void noneHandsThePictureOver() {
        Picture picture = input("img1");
        assertSame(picture, plugins.preprocessors().named("none").apply(picture, Map.of()));
    }
}
