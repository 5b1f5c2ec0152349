package dev.diffarm.engine.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Sizes and invariants that OpenCV's area and Pillow's Lanczos both hold (ResizeReferenceTest compares their
 * samples): flat images stay flat, whole-number area shrinks are block means, the crop is the centre window.
 */
class BucketImagesTest {

    @Test
    void everyFilterKeepsAFlatImageFlat() {
        Rgb8Image flat = flat(61, 47, 90, 160, 250);
        for (Size to : new Size[] {new Size(30, 20), new Size(17, 47), new Size(100, 80), new Size(61, 120)}) {
            Rgb8Image out = Resample.choose(flat.size(), to) == Resample.AREA
                    ? AreaResize.resize(flat, to) : LanczosResize.resize(flat, to);
            assertEquals(to, out.size());
            for (int y = 0; y < to.height(); y++) {
                for (int x = 0; x < to.width(); x++) {
                    assertEquals(90, out.get(x, y, 0), to + " at " + x + "," + y);
                    assertEquals(160, out.get(x, y, 1));
                    assertEquals(250, out.get(x, y, 2));
                }
            }
        }
    }

    @Test
    void wholeNumberAreaShrinkIsTheBlockMean() {
        Rgb8Image noise = noise(12, 9, 7);
        Rgb8Image half = AreaResize.resize(noise.crop(0, 0, new Size(12, 8)), new Size(6, 4));
        for (int c = 0; c < 3; c++) {
            int sum = noise.get(2, 4, c) + noise.get(3, 4, c) + noise.get(2, 5, c) + noise.get(3, 5, c);
            assertEquals((sum + 2) >> 2, half.get(1, 2, c));
        }
        Rgb8Image third = AreaResize.resize(noise, new Size(4, 3));
        int sum = 0;
        for (int y = 3; y < 6; y++) {
            for (int x = 6; x < 9; x++) {
                sum += noise.get(x, y, 1);
            }
        }
        assertEquals((int) Math.rint(sum * (1f / 9)), third.get(2, 1, 1));
    }

    @Test
    void fractionalAreaShrinkStaysWithinItsCellsRange() {
        Rgb8Image noise = noise(50, 30, 11);
        Rgb8Image out = AreaResize.resize(noise, new Size(20, 13));
        for (int y = 0; y < 13; y++) {
            for (int x = 0; x < 20; x++) {
                int lo = 255;
                int hi = 0;
                int rowEnd = (int) Math.min(30, Math.ceil((y + 1) * 30 / 13.0));
                for (int sy = (int) Math.floor(y * 30 / 13.0); sy < rowEnd; sy++) {
                    for (int sx = (int) Math.floor(x * 2.5); sx < Math.min(50, Math.ceil((x + 1) * 2.5)); sx++) {
                        lo = Math.min(lo, noise.get(sx, sy, 0));
                        hi = Math.max(hi, noise.get(sx, sy, 0));
                    }
                }
                int v = out.get(x, y, 0);
                assertEquals(true, v >= lo && v <= hi, x + "," + y + ": " + v + " outside [" + lo + ", " + hi + "]");
            }
        }
    }

    @Test
    void fitResizesThenTakesTheCentreWindowOfTheBucket() {
        Rgb8Image image = noise(40, 20, 3);
        BucketAssignment a = BucketAssignment.of(image.size(), new Size(16, 16), new Size(32, 16));
        assertEquals(Resample.AREA, a.resample());
        Rgb8Image fitted = BucketImages.fit(image, a);
        assertEquals(new Size(16, 16), fitted.size());
        Rgb8Image resized = AreaResize.resize(image, new Size(32, 16));
        assertEquals(resized.get(8, 5, 1), fitted.get(0, 5, 1));
        assertEquals(resized.get(23, 15, 2), fitted.get(15, 15, 2));

        BucketAssignment none = BucketAssignment.of(new Size(40, 20), new Size(32, 16), new Size(40, 20));
        assertEquals(image.crop(4, 2, new Size(32, 16)), BucketImages.fit(image, none));
        assertThrows(IllegalArgumentException.class, () -> BucketImages.fit(noise(8, 8, 1), none));
    }

    @Test
    void flipMirrorsEachRow() {
        Rgb8Image image = noise(5, 3, 5);
        Rgb8Image flipped = image.flipHorizontally();
        assertEquals(image.get(0, 2, 1), flipped.get(4, 2, 1));
        assertEquals(image.get(2, 1, 0), flipped.get(2, 1, 0));
        assertEquals(image, flipped.flipHorizontally());
    }

    @Test
    void modelInputIsChannelPlanarInMinusOneToOne() {
        Rgb8Image image = new Rgb8Image(2, 1, new byte[] {0, (byte) 255, (byte) 128, 10, 20, 30});
        float[] chw = image.toModelInput();
        assertEquals(-1f, chw[0]);
        assertEquals((10 / 255f - 0.5f) / 0.5f, chw[1]);
        assertEquals(1f, chw[2]);
        assertEquals((128 / 255f - 0.5f) / 0.5f, chw[4]);
    }

    private static Rgb8Image flat(int w, int h, int r, int g, int b) {
        byte[] rgb = new byte[3 * w * h];
        for (int i = 0; i < w * h; i++) {
            rgb[3 * i] = (byte) r;
            rgb[3 * i + 1] = (byte) g;
            rgb[3 * i + 2] = (byte) b;
        }
        return new Rgb8Image(w, h, rgb);
    }

    private static Rgb8Image noise(int w, int h, long seed) {
        byte[] rgb = new byte[3 * w * h];
        new Random(seed).nextBytes(rgb);
        return new Rgb8Image(w, h, rgb);
    }
}
