package dev.diffarm.api.upscale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.diffarm.api.image.Picture;
import dev.diffarm.api.image.PillowResize;
import org.junit.jupiter.api.Test;

class PillowResizeTest {
    @Test
    void nearestReadsTheSourcePixelUnderEachOutputCentre() {
        float[] chw = new float[3 * 3];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = i;
        }
        Picture in = new Picture(3, 1, chw);
        Picture out = PillowResize.nearest(in, 7, 2);
        // source column int((x + 0.5) * 3 / 7): 0 0 1 1 1 2 2
        float[] red = new float[14];
        int[] columns = {0, 0, 1, 1, 1, 2, 2};
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 7; x++) {
                red[y * 7 + x] = columns[x];
            }
        }
        assertArrayEquals(red, java.util.Arrays.copyOf(out.chw(), 14));
        assertEquals(5f, out.get(1, 1, 6));
    }

    @Test
    void lanczosKeepsAFlatPictureFlatAndASameSizeResizeIsACopy() {
        byte[] flat = new byte[3 * 5 * 4];
        java.util.Arrays.fill(flat, (byte) 200);
        byte[] out = PillowResize.lanczos(5, 4, flat, 13, 9);
        for (byte b : out) {
            assertEquals(200, b & 0xff);
        }
        byte[] same = PillowResize.lanczos(5, 4, flat, 5, 4);
        assertArrayEquals(flat, same);
    }
}
