package dev.diffarm.engine.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.diffarm.api.control.ControlPreprocessor;
import dev.diffarm.api.image.Picture;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.train.data.CubicResize;
import dev.diffarm.engine.train.data.ImageDecoder;
import dev.diffarm.engine.train.data.Rgb8Image;
import dev.diffarm.engine.train.data.Size;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A ControlNet unit's processor resolution, against the library sd-webui-controlnet calls:
 * {@code control-resolution/cubic-WxH.png} are OpenCV 4.6's {@code INTER_CUBIC} of {@code source.png}, and
 * {@code res-N.png} what the extension's {@code resize_image_with_pad} hands a preprocessor at {@code processor_res} N
 * (made by {@code make_processor_res_reference.py} beside them, with Debian's python3-opencv); a hand-computed case;
 * and the unit's path: the preprocessor sees the picture at the resolution, its map is then fitted to the render size.
 */
class ProcessorResolutionTest {
    private static final ImageDecoder DECODER = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS);

    @ParameterizedTest
    @ValueSource(strings = {"45x30", "31x21", "64x50", "97x23", "30x61", "300x200"})
    void cubicMatchesOpenCv(String size) throws IOException {
        Rgb8Image reference = read("cubic-" + size + ".png");
        Rgb8Image mine = CubicResize.resize(read("source.png"), new Size(reference.width(), reference.height()));

        assertSameSamples("cubic-" + size, reference, mine);
    }

    @ParameterizedTest
    @ValueSource(ints = {13, 20, 33, 64})
    void theExtensionsResizeBeforeAPreprocessorMatchesOpenCv(int resolution) throws IOException {
        Rgb8Image source = read("source.png");
        Rgb8Image reference = read("res-" + resolution + ".png");
        Picture mine = ProcessorResolution.resize(Picture.fromRgb8(source.width(), source.height(), source.rgb()),
                resolution);

        assertEquals(new Size(reference.width(), reference.height()), new Size(mine.width(), mine.height()));
        assertSameSamples("res-" + resolution, reference, new Rgb8Image(mine.width(), mine.height(), mine.toRgb8()));
    }

    @Test
    void aTwoPixelRowDoubledIsTheHandComputedCubic() {
        // Keys' weights with A = -0.75 in 1/2048ths: at 0.25 (-216, 1800, 536, -72), at 0.75 (-72, 536, 1800, -216);
        // a 0/255 row's four targets sit at -0.25, 0.25, 0.75, 1.25 of the source, neighbours clamped to the edge:
        // 255 * -216 / 2048 < 0 -> 0; 255 * 464 / 2048 = 57.8 -> 58; 255 * 1584 / 2048 = 197.2 -> 197; 281.9 -> 255
        Rgb8Image row = new Rgb8Image(2, 1, new byte[] {0, 0, 0, (byte) 255, (byte) 255, (byte) 255});

        byte[] doubled = CubicResize.resize(row, new Size(4, 1)).rgb();

        assertArrayEquals(new byte[] {0, 0, 0, 58, 58, 58, (byte) 197, (byte) 197, (byte) 197, (byte) 255, (byte) 255,
                (byte) 255}, doubled);
    }

    @Test
    void sizesFollowTheShorterSideRoundedHalfToEven() {
        assertEquals(new Size(768, 512), ProcessorResolution.size(48, 32, 512));
        assertEquals(new Size(64, 96), ProcessorResolution.size(20, 30, 64), "30 * 3.2 = 96");
        assertEquals(new Size(101, 64), ProcessorResolution.size(33, 21, 64), "33 * 64 / 21 = 100.57");
        assertEquals(new Size(10, 3), ProcessorResolution.size(7, 2, 3), "7 * 1.5 = 10.5: to even, as numpy rounds");
    }

    @Test
    void thePreprocessorSeesThePictureAtTheResolutionAndItsMapIsFittedToTheRender() {
        List<Size> seen = new ArrayList<>();
        List<Map<String, Double>> options = new ArrayList<>();
        ControlPreprocessor spy = new ControlPreprocessor() {
            @Override
            public String name() {
                return "spy";
            }

            @Override
            public Map<String, Double> defaults() {
                return Map.of(ProcessorResolution.PAD_OPTION, 0.0);
            }

            @Override
            public Picture apply(Picture picture, Map<String, Double> given) {
                seen.add(new Size(picture.width(), picture.height()));
                options.add(given);
                return picture;
            }
        };
        RgbImage picture = new RgbImage(48, 32, new float[3 * 48 * 32]);
        ControlUnit at64 = unit(picture, spy, OptionalInt.of(64));

        RgbImage map = at64.controlMap(40, 24);

        assertEquals(List.of(new Size(96, 64)), seen, "the shorter side 32 brought to 64");
        assertEquals(Map.of(ProcessorResolution.PAD_OPTION, 1.0), options.get(0), "padded to 64 as the extension pads");
        assertEquals(List.of(40, 24), List.of(map.width(), map.height()), "the map fitted to the render size");
        assertEquals(64, at64.effectiveProcessorRes());
        assertEquals(32, unit(picture, spy, OptionalInt.empty()).effectiveProcessorRes(), "without one: the shorter side");
        unit(picture, spy, OptionalInt.empty()).controlMap(40, 24);
        assertEquals(new Size(48, 32), seen.get(1), "without one the preprocessor runs on the picture as it is");
        assertEquals(Map.of(), options.get(1), "and unpadded");
        Picture same = Picture.fromRgb8(2, 2, new byte[12]);
        assertSame(same, ProcessorResolution.resize(same, 2), "at its own shorter side the picture is left as it is");
    }

    @Test
    void aResolutionOutsideTheSlidersRangeIsRefused() {
        RgbImage picture = new RgbImage(8, 8, new float[3 * 64]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> unit(picture, null, OptionalInt.of(4096)));
        assertEquals("ControlNet processor resolution = 4096: expected 64..2048", e.getMessage());
    }

    private static ControlUnit unit(RgbImage picture, ControlPreprocessor preprocessor, OptionalInt processorRes) {
        ControlPreprocessor chosen = preprocessor != null ? preprocessor : new ControlPreprocessor() {
            @Override
            public String name() {
                return "canny";
            }

            @Override
            public Picture apply(Picture in, Map<String, Double> options) {
                return in;
            }
        };
        return new ControlUnit(Path.of("control"), Optional.empty(), picture, chosen, Map.of(), 1, 0, 1,
                ResizeMode.JUST_RESIZE, processorRes);
    }

    private static void assertSameSamples(String name, Rgb8Image reference, Rgb8Image mine) {
        int max = 0;
        int differing = 0;
        for (int i = 0; i < reference.rgb().length; i++) {
            int d = Math.abs((reference.rgb()[i] & 0xff) - (mine.rgb()[i] & 0xff));
            differing += d > 0 ? 1 : 0;
            max = Math.max(max, d);
        }
        System.out.printf("%s: %d samples, %d differ, max difference %d%n", name, reference.rgb().length, differing, max);
        assertEquals(0, max, name + " differs from OpenCV");
    }

    private static Rgb8Image read(String name) throws IOException {
        try {
            return DECODER.decode(Path.of(ProcessorResolutionTest.class.getResource("/control-resolution/" + name).toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
