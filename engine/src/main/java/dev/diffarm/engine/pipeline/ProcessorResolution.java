package dev.diffarm.engine.pipeline;

import dev.diffarm.api.image.Picture;
import dev.diffarm.engine.train.data.AreaResize;
import dev.diffarm.engine.train.data.CubicResize;
import dev.diffarm.engine.train.data.Rgb8Image;
import dev.diffarm.engine.train.data.Size;

/**
 * A control picture brought to a preprocessor resolution as sd-webui-controlnet's {@code resize_image_with_pad} brings
 * it before a preprocessor runs: both sides scaled by {@code resolution / shorter side}, each rounded half to even
 * (numpy's {@code round}), with OpenCV's {@code INTER_CUBIC} when that enlarges the picture and {@code INTER_AREA}
 * otherwise (an unchanged size is the picture itself). The extension then pads that picture to multiples of 64 for
 * the preprocessor and crops its map back: a preprocessor that offers {@value #PAD_OPTION} gets it switched on.
 */
public final class ProcessorResolution {
    /** The smallest and largest resolution, as sd-webui-controlnet's slider. */
    public static final int MIN = 64;
    public static final int MAX = 2048;
    /** The option of a preprocessor that pads its input to multiples of 64 as the extension does ({@code canny}'s). */
    public static final String PAD_OPTION = "pad_to_64";

    private ProcessorResolution() {
    }

    /** The size a {@code width} x {@code height} picture gets at {@code resolution}. */
    public static Size size(int width, int height, int resolution) {
        double k = (double) resolution / Math.min(width, height);
        return new Size((int) Math.rint(width * k), (int) Math.rint(height * k));
    }

    /** {@code picture} (8-bit values, as decoded) at {@code resolution}. */
    public static Picture resize(Picture picture, int resolution) {
        Size to = size(picture.width(), picture.height(), resolution);
        if (to.width() == picture.width() && to.height() == picture.height()) {
            return picture;
        }
        Rgb8Image image = new Rgb8Image(picture.width(), picture.height(), picture.toRgb8());
        Rgb8Image resized = resolution > Math.min(picture.width(), picture.height()) ? CubicResize.resize(image, to)
                : AreaResize.resize(image, to);
        return Picture.fromRgb8(resized.width(), resized.height(), resized.rgb());
    }
}
