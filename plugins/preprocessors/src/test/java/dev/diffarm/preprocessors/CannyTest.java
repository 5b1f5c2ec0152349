package dev.diffarm.preprocessors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.api.control.ControlPreprocessor;
import dev.diffarm.api.image.Picture;
import java.util.List;
import java.util.Map;
import java.util.function.IntBinaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Canny on pictures whose edges can be worked out by hand from OpenCV's algorithm; the parity with cv2.Canny on the
 * fixtures is checked in the engine, through the plugin jar.
 */
class CannyTest {
    private static final int W = 10;
    private static final int H = 8;
    private final ControlPreprocessor canny = new Canny();

    /** A gray picture whose value at (x, y) is {@code value}, in the channels given (others 0). */
    private static Picture picture(int width, int height, IntBinaryOperator value, boolean... channels) {
        byte[] rgb = new byte[3 * width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                for (int c = 0; c < 3; c++) {
                    boolean used = channels.length == 0 || channels[c];
                    rgb[3 * (y * width + x) + c] = (byte) (used ? value.applyAsInt(x, y) : 0);
                }
            }
        }
        return Picture.fromRgb8(width, height, rgb);
    }

    /** A vertical step between columns 4 and 5: {@code top} in the rows above {@code split}, {@code bottom} below. */
    private static Picture step(int top, int bottom, int split, boolean... channels) {
        return picture(W, H, (x, y) -> x < 5 ? 0 : y < split ? top : bottom, channels);
    }

    /** The columns that hold edges, row by row, read from the red channel (all three are checked equal). */
    private static List<List<Integer>> edgeColumns(Picture map) {
        int plane = map.width() * map.height();
        for (int i = 0; i < plane; i++) {
            float v = map.chw()[i];
            assertTrue(v == 0f || v == 1f, "a map holds 0 or 1, got " + v);
            assertEquals(v, map.chw()[plane + i]);
            assertEquals(v, map.chw()[2 * plane + i]);
        }
        return java.util.stream.IntStream.range(0, map.height()).mapToObj(y -> java.util.stream.IntStream
                .range(0, map.width()).filter(x -> map.get(0, y, x) == 1f).boxed().toList()).toList();
    }

    private static List<List<Integer>> everyRow(List<Integer> columns) {
        return java.util.Collections.nCopies(H, columns);
    }

    /**
     * Columns 4 and 5 both get dx = 4 · 200 = 800 and dy = 0: the left one is a maximum (above its left neighbour, at
     * least its right one), the right one is not (not above its left), so the edge is one pixel wide, in column 4.
     */
    @Test
    void aStepGivesAnEdgeOnePixelWideOnItsLeftSide() {
        Picture map = canny.apply(step(200, 200, H), Map.of());
        assertEquals(W, map.width());
        assertEquals(H, map.height());
        assertEquals(everyRow(List.of(4)), edgeColumns(map));
    }

    /** The channel with the largest gradient decides: a step in green alone gives the edge a gray one does. */
    @Test
    void theStrongestChannelDecides() {
        assertEquals(everyRow(List.of(4)), edgeColumns(canny.apply(step(200, 200, H, false, true, false), Map.of())));
    }

    /** A step of 30 has magnitude 120: above the default low threshold (100), below the high one (200). */
    @Test
    void weakEdgesSurviveOnlyWhenConnectedToAStrongOne() {
        assertEquals(everyRow(List.of()), edgeColumns(canny.apply(step(30, 30, H), Map.of())), "weak alone");
        List<List<Integer>> joined = edgeColumns(canny.apply(step(200, 30, 3), Map.of()));
        for (int y = 4; y < H; y++) {
            assertEquals(List.of(4), joined.get(y), "row " + y + " (a weak step, joined through the corner of the "
                    + "strong one in rows 0-2): " + joined);
        }
        assertEquals(everyRow(List.of()), edgeColumns(canny.apply(step(200, 30, 3),
                Map.of(Canny.HIGH_THRESHOLD, 2040.0))), "no strong pixel at all: nothing");
        assertEquals(everyRow(List.of(4)), edgeColumns(canny.apply(step(30, 30, H),
                Map.of(Canny.LOW_THRESHOLD, 50.0, Canny.HIGH_THRESHOLD, 119.9))), "119.9 counts as 119: 120 is strong");
        assertEquals(everyRow(List.of()), edgeColumns(canny.apply(step(30, 30, H),
                Map.of(Canny.LOW_THRESHOLD, 120.0, Canny.HIGH_THRESHOLD, 300.0))), "a candidate must exceed low");
    }

    @Test
    void thresholdsTheWrongWayRoundAreSwappedAsOpenCvDoes() {
        Picture picture = picture(W, H, (x, y) -> (x * 37 + y * 91 + x * y * 13) % 256);
        assertEquals(canny.apply(picture, Map.of(Canny.LOW_THRESHOLD, 50.0, Canny.HIGH_THRESHOLD, 150.0)),
                canny.apply(picture, Map.of(Canny.LOW_THRESHOLD, 150.0, Canny.HIGH_THRESHOLD, 50.0)));
    }

    /** Padding repeats the last column, so a step away from the right border is found the same way. */
    @Test
    void paddingToMultiplesOf64KeepsTheSizeAndAnEdgeAwayFromTheBorder() {
        Picture map = canny.apply(step(200, 200, H), Map.of(Canny.PAD_TO_64, 1.0));
        assertEquals(W, map.width());
        assertEquals(H, map.height());
        assertEquals(everyRow(List.of(4)), edgeColumns(map));
    }

    @Test
    void declaresTheExtensionsDefaults() {
        assertEquals("canny", canny.name());
        assertEquals(Map.of("low_threshold", 100.0, "high_threshold", 200.0, "pad_to_64", 0.0), canny.defaults());
    }

    @Test
    void badOptionsAreRefusedNamingThem() {
        Picture picture = step(200, 200, H);
        assertEquals("preprocessor canny: unknown option 'low'; expected one of [high_threshold, low_threshold, "
                + "pad_to_64]", message(() -> canny.apply(picture, Map.of("low", 1.0))));
        assertEquals("preprocessor canny: option high_threshold must be between 0 and 2040, got 3000",
                message(() -> canny.apply(picture, Map.of(Canny.HIGH_THRESHOLD, 3000.0))));
        assertEquals("preprocessor canny: option low_threshold must be between 0 and 2040, got -0.5",
                message(() -> canny.apply(picture, Map.of(Canny.LOW_THRESHOLD, -0.5))));
        assertEquals("preprocessor canny: option low_threshold must be a finite number, got NaN",
                message(() -> canny.apply(picture, Map.of(Canny.LOW_THRESHOLD, Double.NaN))));
        assertEquals("preprocessor canny: option pad_to_64 must be 0 (off) or 1 (on), got 2",
                message(() -> canny.apply(picture, Map.of(Canny.PAD_TO_64, 2.0))));
    }

    @Test
    void noneHandsThePictureOverAndTakesNoOptions() {
        ControlPreprocessor none = new PassThrough();
        Picture picture = step(200, 30, 3);
        assertEquals("none", none.name());
        assertEquals(picture, none.apply(picture, Map.of()));
        assertEquals("preprocessor none: unknown option 'low_threshold'; expected none",
                message(() -> none.apply(picture, Map.of(Canny.LOW_THRESHOLD, 100.0))));
    }

    private static String message(org.junit.jupiter.api.function.Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }
}
