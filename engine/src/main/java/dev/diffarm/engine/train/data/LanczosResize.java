package dev.diffarm.engine.train.data;

import dev.diffarm.api.image.PillowResize;

/**
 * Pillow's {@code Image.resize(size, Image.LANCZOS)} on an 8-bit RGB image, as kohya enlarges training images
 * ({@link PillowResize#lanczos(int, int, byte[], int, int)}, which the upscaler plugins share). Equal, sample for
 * sample, to Pillow 9.4 on the cases of {@code ResizeReferenceTest}.
 */
public final class LanczosResize {
    private LanczosResize() {
    }

    public static Rgb8Image resize(Rgb8Image image, Size to) {
        return new Rgb8Image(to.width(), to.height(),
                PillowResize.lanczos(image.width(), image.height(), image.rgb(), to.width(), to.height()));
    }
}
