package dev.diffarm.engine.pipeline;

import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.train.data.LanczosResize;
import dev.diffarm.engine.train.data.Rgb8Image;
import dev.diffarm.engine.train.data.Size;

/**
 * How an init image of another size is fitted to the request's size, as AUTOMATIC1111's {@code images.resize_image}
 * does it: on 8-bit pixels with Pillow's Lanczos filter, the result centred.
 */
public enum ResizeMode {
    /** Stretched to the size, whatever its aspect ratio. */
    JUST_RESIZE("Just resize", "just") {
        @Override
        Rgb8Image fit(Rgb8Image image, int width, int height) {
            return LanczosResize.resize(image, new Size(width, height));
        }
    },
    /** Scaled to cover the size, keeping its aspect ratio; what falls outside is cut off. */
    CROP_AND_RESIZE("Crop and resize", "crop") {
        @Override
        Rgb8Image fit(Rgb8Image image, int width, int height) {
            boolean wider = (double) width / height > (double) image.width() / image.height();
            Size scaled = wider ? new Size(width, image.height() * width / image.width())
                    : new Size(image.width() * height / image.height(), height);
            return centred(LanczosResize.resize(image, scaled), width, height);
        }
    },
    /** Scaled to fit inside the size, keeping its aspect ratio; the bands left over repeat the edge pixels. */
    RESIZE_AND_FILL("Resize and fill", "fill") {
        @Override
        Rgb8Image fit(Rgb8Image image, int width, int height) {
            boolean narrower = (double) width / height < (double) image.width() / image.height();
            Size scaled = narrower ? new Size(width, image.height() * width / image.width())
                    : new Size(image.width() * height / image.height(), height);
            return centred(LanczosResize.resize(image, scaled), width, height);
        }
    };

    private final String label;
    private final String shortName;

    ResizeMode(String label, String shortName) {
        this.label = label;
        this.shortName = shortName;
    }

    /** The name A1111 shows ({@code Just resize}). */
    public String label() {
        return label;
    }

    /** The mode A1111 names {@code name} (case ignored), or by its short form {@code just}, {@code crop}, {@code fill}. */
    public static ResizeMode named(String name) {
        return Labels.find(values(), mode -> mode.label, mode -> mode.shortName, name, "resize mode");
    }

    /** {@code image} at {@code width} x {@code height}; unchanged when it already has that size. */
    public RgbImage apply(RgbImage image, int width, int height) {
        if (image.width() == width && image.height() == height) {
            return image;
        }
        return PixelFormats.toUnit(fit(PixelFormats.to8Bit(image), width, height));
    }

    /**
     * A mask of {@code width} x {@code height} (one value per pixel) fitted as a picture would be, so that it stays
     * on the same pixels as the init image; unchanged when it already has the size.
     */
    public float[] applyToMask(float[] mask, int width, int height, int toWidth, int toHeight) {
        if (width == toWidth && height == toHeight) {
            return mask;
        }
        float[] grey = new float[3 * mask.length];
        for (int c = 0; c < 3; c++) {
            System.arraycopy(mask, 0, grey, c * mask.length, mask.length);
        }
        RgbImage fitted = apply(new RgbImage(width, height, grey), toWidth, toHeight);
        return java.util.Arrays.copyOf(fitted.chw(), toWidth * toHeight);
    }

    abstract Rgb8Image fit(Rgb8Image image, int width, int height);

    /**
     * {@code image} placed centred on a {@code width} x {@code height} canvas, as A1111 pastes at
     * {@code (width // 2 - w // 2, height // 2 - h // 2)}: cut where it is larger; where it is smaller, the canvas
     * takes the nearest edge pixel (A1111 stretches the edge row or column into the bands).
     */
    static Rgb8Image centred(Rgb8Image image, int width, int height) {
        int left = width / 2 - image.width() / 2;
        int top = height / 2 - image.height() / 2;
        byte[] out = new byte[3 * width * height];
        for (int y = 0; y < height; y++) {
            int sy = Math.max(0, Math.min(y - top, image.height() - 1));
            for (int x = 0; x < width; x++) {
                int sx = Math.max(0, Math.min(x - left, image.width() - 1));
                for (int c = 0; c < 3; c++) {
                    out[(y * width + x) * 3 + c] = (byte) image.get(sx, sy, c);
                }
            }
        }
        return new Rgb8Image(width, height, out);
    }
}
