package dev.diffarm.engine.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.prompt.Emphasis;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The modes' options without a model: fitting init images, step counting, latent upscaling, masks, validation. */
class ModeOptionsTest {

    /** A w x h image whose red channel is x / w, green y / h, blue 0.5: every pixel tells where it came from. */
    private static RgbImage gradient(int w, int h) {
        float[] chw = new float[3 * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                chw[y * w + x] = (float) x / w;
                chw[w * h + y * w + x] = (float) y / h;
                chw[2 * w * h + y * w + x] = 0.5f;
            }
        }
        return new RgbImage(w, h, chw);
    }

    @Test
    void everyResizeModeGivesTheRequestedSize() {
        for (ResizeMode mode : ResizeMode.values()) {
            RgbImage out = mode.apply(gradient(64, 32), 24, 40);
            assertEquals(24, out.width(), mode.label());
            assertEquals(40, out.height(), mode.label());
        }
    }

    @Test
    void anImageOfTheRequestedSizeIsUsedAsItIs() {
        RgbImage image = gradient(16, 16);
        for (ResizeMode mode : ResizeMode.values()) {
            assertTrue(mode.apply(image, 16, 16) == image, mode.label());
        }
    }

    @Test
    void cropAndResizeCutsTheSidesOfAWideImage() {
        // 64x32 into 32x32: scaled to 64x32 → the middle 32 columns; the left edge shows x = 16 of 64
        RgbImage out = ResizeMode.CROP_AND_RESIZE.apply(gradient(64, 32), 32, 32);
        assertEquals(16f / 64, out.get(0, 10, 0), 1f / 255 + 1e-6f);
        assertEquals(47f / 64, out.get(0, 10, 31), 1f / 255 + 1e-6f);
    }

    @Test
    void resizeAndFillRepeatsTheEdgesIntoTheBands() {
        // 64x32 into 32x32: scaled to 32x16, centred at row 8; rows 0..7 repeat row 8, rows 24..31 repeat row 23
        RgbImage out = ResizeMode.RESIZE_AND_FILL.apply(gradient(64, 32), 32, 32);
        for (int x = 0; x < 32; x++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(out.get(c, 8, x), out.get(c, 0, x), 0f);
                assertEquals(out.get(c, 23, x), out.get(c, 31, x), 0f);
            }
        }
        assertTrue(out.get(1, 8, 5) < out.get(1, 23, 5), "the picture itself keeps its gradient");
    }

    @Test
    void justResizeStretchesTheWholePicture() {
        RgbImage out = ResizeMode.JUST_RESIZE.apply(gradient(64, 32), 32, 32);
        assertTrue(out.get(0, 16, 0) < 0.05f, "left edge from the picture's left: " + out.get(0, 16, 0));
        assertTrue(out.get(0, 16, 31) > 0.9f, "right edge from the picture's right: " + out.get(0, 16, 31));
    }

    @Test
    void resizeModesAreFoundByA1111NameOrShortForm() {
        assertEquals(ResizeMode.CROP_AND_RESIZE, ResizeMode.named("Crop and resize"));
        assertEquals(ResizeMode.RESIZE_AND_FILL, ResizeMode.named("fill"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ResizeMode.named("squash"));
        assertTrue(e.getMessage().contains("squash") && e.getMessage().contains("Just resize"), e.getMessage());
    }

    @Test
    void stepRulesCountAsTheFixturesReadmeSays() {
        assertEquals(new StepsRule.StepCut(20, 9), StepsRule.DIFFUSERS.cut(20, 0.55));
        assertEquals(new StepsRule.StepCut(36, 16), StepsRule.A1111.cut(20, 0.55));
        assertEquals(new StepsRule.StepCut(20, 8), StepsRule.DIFFUSERS.cut(20, 0.6));
        assertEquals(20, StepsRule.A1111.cut(20, 1.0).run());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StepsRule.DIFFUSERS.cut(20, 0.01));
        assertTrue(e.getMessage().contains("no step"), e.getMessage());
    }

    @Test
    void nearestLatentUpscalesRepeatEachValue() {
        float[] in = {1, 2, 3, 4};
        assertArrayEquals(new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4},
                LatentUpscaler.NEAREST.resize(in, new long[] {1, 1, 2, 2}, 4, 4));
        assertArrayEquals(new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4},
                LatentUpscaler.NEAREST_EXACT.resize(in, new long[] {1, 1, 2, 2}, 4, 4));
        assertEquals(LatentUpscaler.NEAREST, LatentUpscaler.named("latent (nearest)"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LatentUpscaler.named("R-ESRGAN 4x+"));
        assertTrue(e.getMessage().contains("Latent (nearest-exact)"), e.getMessage());
    }

    @Test
    void maskIsInvertedBlurredAndCutAtOneHalf() {
        float[] square = new float[16 * 16];
        for (int y = 4; y < 12; y++) {
            for (int x = 4; x < 12; x++) {
                square[y * 16 + x] = 1;
            }
        }
        InpaintMask sharp = InpaintMask.sharp(16, 16, square);
        assertArrayEquals(square, sharp.binary());
        float[] inverted = new InpaintMask(16, 16, square, 0, true, null, null).binary();
        assertEquals(0f, inverted[8 * 16 + 8]);
        assertEquals(1f, inverted[0]);
        float[] blurred = new InpaintMask(16, 16, square, 2, false, null, null).binary();
        assertEquals(1f, blurred[8 * 16 + 8], "the middle stays repainted");
        assertEquals(0f, blurred[4 * 16 + 4], "a blurred corner falls under one half");
        assertEquals(1f, blurred[8 * 16 + 4], "an edge's middle stays at one half or more");
    }

    @Test
    void fillPaintsTheMaskedAreaWithTheColoursAroundIt() {
        // left half red, right half blue; the middle columns 6..9 masked
        int w = 16;
        int h = 8;
        float[] chw = new float[3 * w * h];
        float[] mask = new float[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                chw[(x < 8 ? 0 : 2) * w * h + y * w + x] = 1;
                mask[y * w + x] = x >= 6 && x < 10 ? 1 : 0;
            }
        }
        RgbImage filled = MaskedContent.FILL.picture(new RgbImage(w, h, chw), mask);
        assertEquals(1f, filled.get(0, 3, 2), 1e-6f, "kept pixels stay as they were");
        assertEquals(1f, filled.get(2, 3, 13), 1e-6f, "kept pixels stay as they were");
        assertTrue(filled.get(0, 3, 6) > filled.get(2, 3, 6), "left of the hole leans red: " + filled);
        assertTrue(filled.get(2, 3, 9) > filled.get(0, 3, 9), "right of the hole leans blue");
        assertEquals(0f, filled.get(1, 3, 7), 1e-6f, "no green comes from nowhere");
        assertEquals(1f, filled.get(0, 3, 7) + filled.get(2, 3, 7), 1e-4f, "the fill mixes the neighbours' colours");
        assertEquals(MaskedContent.LATENT_NOISE, MaskedContent.named("Latent noise"));
    }

    @Test
    void gaussianBlurKeepsAConstantPlane() {
        float[] flat = new float[9 * 7];
        java.util.Arrays.fill(flat, 0.25f);
        for (float v : GaussianBlur.blur(flat, 9, 7, 3)) {
            assertEquals(0.25f, v, 1e-6f);
        }
    }

    @Test
    void requestsRefuseModesThatDoNotFitByField() {
        GenerationRequest base = new GenerationRequest("a cat", "", "Euler a", 20, 7, 1, 32, 32, 1, 1,
                Emphasis.ORIGINAL);
        InpaintMask small = InpaintMask.sharp(16, 16, new float[256]);
        InitImage init = new InitImage(gradient(32, 32), 0.5, ResizeMode.JUST_RESIZE);
        assertMessage("mask", () -> base.withMask(Optional.of(small)));
        assertMessage("mask size = 16x16", () -> base.withInit(Optional.of(init)).withMask(Optional.of(small)));
        assertMessage("strength = 1.5", () -> new InitImage(gradient(8, 8), 1.5, ResizeMode.JUST_RESIZE));
        assertMessage("hires", () -> base.withInit(Optional.of(init))
                .withHires(Optional.of(new HiresFix(2, LatentUpscaler.BILINEAR, 0, 0.5, StepsRule.A1111))));
        assertMessage("hires scale = 0.5", () -> new HiresFix(0.5, LatentUpscaler.BILINEAR, 0, 0.5, null));
        assertMessage("extend = 0,0,0,0", () -> new Outpaint(0, 0, 0, 0));
    }

    private static void assertMessage(String start, Runnable action) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run);
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
    }
}
