package dev.diffarm.engine.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.api.Progress;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.TestSamplers;
import java.io.IOException;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** A1111's "Inpaint area: Only masked": the box it cuts, and the paste-back that leaves the rest untouched. */
class OnlyMaskedTest {

    private static InpaintMask rectangle(int w, int h, int x1, int y1, int x2, int y2, int padding) {
        float[] values = new float[w * h];
        for (int y = y1; y < y2; y++) {
            for (int x = x1; x < x2; x++) {
                values[y * w + x] = 1;
            }
        }
        return new InpaintMask(w, h, values, 0, false, MaskedContent.ORIGINAL, OptionalInt.of(padding));
    }

    @Test
    void theBoxIsPaddedThenGrownToTheRequestsAspect() {
        // mask box x 20..28, y 30..34; padded by 4: 16..32 x 26..38 (16x12); grown to square: y 24..40
        assertEquals(new OnlyMasked(16, 24, 32, 40), OnlyMasked.around(rectangle(64, 64, 20, 30, 28, 34, 4), 4, 32, 32));
        // at the bottom edge the grown box is shifted up to stay inside
        assertEquals(new OnlyMasked(0, 48, 16, 64), OnlyMasked.around(rectangle(64, 64, 0, 60, 16, 64, 0), 0, 32, 32));
        // a tall box is widened instead
        assertEquals(new OnlyMasked(4, 0, 12, 16), OnlyMasked.around(rectangle(64, 64, 6, 0, 10, 16, 0), 0, 16, 32));
    }

    @Test
    void controlPicturesAreCutToTheSameBox() {
        int w = 64;
        float[] ramp = new float[3 * w * w];
        for (int i = 0; i < w * w; i++) {
            ramp[i] = (i % w) / 63f; // red: the column
            ramp[w * w + i] = (i / w) / 63f; // green: the row
        }
        RgbImage picture = new RgbImage(w, w, ramp);
        // a control picture of half the size is first fitted to the init image's 64x64 (just resize)
        RgbImage control = ResizeMode.JUST_RESIZE.apply(picture, 32, 32);
        InpaintMask mask = rectangle(w, w, 20, 30, 28, 34, 4);
        GenerationRequest request = new GenerationRequest("a tree", "", "DDIM", 6, 7.5, 3, 16, 16, 1, 1,
                Emphasis.ORIGINAL)
                .withInit(Optional.of(new InitImage(picture, 0.9, ResizeMode.JUST_RESIZE)))
                .withMask(Optional.of(mask))
                .withControlNets(java.util.List.of(new ControlUnit(java.nio.file.Path.of("cn"), Optional.empty(),
                        control, new dev.diffarm.engine.control.ReadyControlMap(), java.util.Map.of(), 1, 0, 1,
                        ResizeMode.JUST_RESIZE)));
        OnlyMasked box = OnlyMasked.around(mask, 4, 16, 16);
        RgbImage cut = box.crop(request).controlNets().get(0).image();
        assertEquals(box.width(), cut.width());
        assertEquals(box.height(), cut.height());
        RgbImage fitted = ResizeMode.JUST_RESIZE.apply(control, w, w);
        for (int y = 0; y < box.height(); y++) {
            for (int x = 0; x < box.width(); x++) {
                assertEquals(fitted.get(0, box.y1() + y, box.x1() + x), cut.get(0, y, x), 0f);
                assertEquals(fitted.get(1, box.y1() + y, box.x1() + x), cut.get(1, y, x), 0f);
            }
        }
    }

    @Test
    void anEmptyMaskIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnlyMasked.around(rectangle(8, 8, 0, 0, 0, 0, 2), 2, 8, 8));
        assertTrue(e.getMessage().startsWith("mask: nothing to repaint"), e.getMessage());
    }

    @Test
    void theResultIsThePictureWithOnlyTheMaskRepainted() throws IOException {
        try (StableDiffusion model = StableDiffusion.load(Fixtures.sdTiny("model"), Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment());
             SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("gen-outpaint-DDIM.safetensors"))) {
            RgbImage picture = new RgbImage(48, 32, reference.floats("canvas"));
            InpaintMask mask = rectangle(48, 32, 30, 10, 38, 18, 4);
            GenerationRequest request = new GenerationRequest("a tree", "", "DDIM", 6, 7.5, 3, 16, 16, 1, 1,
                    Emphasis.ORIGINAL)
                    .withInit(Optional.of(new InitImage(picture, 0.9, ResizeMode.JUST_RESIZE)))
                    .withMask(Optional.of(mask));
            Generation generation = new Generator(TestSamplers.plugins()).generate(model, "0", request, Progress.NONE);
            RgbImage out = generation.images().get(0).pixels();
            assertEquals(48, out.width());
            assertEquals(32, out.height());
            int changed = 0;
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 48; x++) {
                        boolean masked = x >= 30 && x < 38 && y >= 10 && y < 18;
                        if (!masked) {
                            assertEquals(picture.get(c, y, x), out.get(c, y, x), 0f, "kept pixel " + x + "," + y);
                        } else if (Math.abs(picture.get(c, y, x) - out.get(c, y, x)) > 1e-3) {
                            changed++;
                        }
                    }
                }
            }
            assertTrue(changed > 3 * 64 / 2, "most masked samples repainted: " + changed);
            String infotext = generation.images().get(0).infotext();
            assertTrue(infotext.contains("Size: 16x16") && infotext.contains("Inpaint area: Only masked, "
                    + "Masked area padding: 4"), infotext);
        }
    }
}
