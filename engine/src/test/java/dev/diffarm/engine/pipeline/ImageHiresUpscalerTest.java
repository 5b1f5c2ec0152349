package dev.diffarm.engine.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.diffarm.api.Progress;
import dev.diffarm.api.upscale.Tiling;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.testing.TestSamplers;
import org.junit.jupiter.api.Test;

class ImageHiresUpscalerTest {
    @Test
    void picturesAreCutTo8BitsAsA1111TruncatesThem() {
        ImageHiresUpscaler nearest = new ImageHiresUpscaler(
                TestSamplers.plugins().upscalers().open("--hires-upscaler", "Nearest", Tiling.A1111));
        // 0.999 * 255 = 254.7: A1111's astype(uint8) keeps 254, rounding would give 255
        float[] chw = new float[3 * 8 * 8];
        java.util.Arrays.fill(chw, 0.999f);
        chw[0] = 0.5f;
        RgbImage big = nearest.resize(new RgbImage(8, 8, chw), 16, 16, Progress.NONE);
        assertEquals(16, big.width());
        assertEquals(254 / 255f, big.get(1, 5, 5));
        assertEquals(127 / 255f, big.get(0, 1, 1), "0.5 * 255 = 127.5 truncated, nearest-enlarged to 2x2");
        assertEquals("Nearest", nearest.label());
    }
}
