package dev.diffarm.engine.train.data;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes training images (PNG, JPEG, WebP; the format is read from the file's content) to 8-bit RGB as Pillow's
 * {@code convert("RGB")} gives them to kohya: grey copied to the three channels, alpha dropped (not composited),
 * palettes looked up, 16-bit samples cut to their high byte, colour profiles ignored.
 *
 * <p>PNG, JPEG and lossless WebP give Pillow's samples exactly (JPEG checked on a 4:2:0 file); lossy WebP, decoded
 * by TwelveMonkeys, differs from libwebp's colour conversion (max 61 of 255, mean 3.1 on the test image). EXIF
 * orientation is not applied, as kohya's loader does not apply it.
 *
 * <p>The size is read from the header first, and an image of more than {@code maxPixels} pixels is refused before
 * its pixels are decoded, so a small file that expands to gigabytes (a decompression bomb) costs nothing.
 */
public final class ImageDecoder {
    /** Pillow's {@code Image.MAX_IMAGE_PIXELS}: the default limit. */
    public static final long DEFAULT_MAX_PIXELS = 89_478_485L;
    private static final Set<String> FORMATS = Set.of("png", "jpeg", "webp");

    private final long maxPixels;

    /** A decoder refusing images of more than {@code maxPixels} pixels. */
    public ImageDecoder(long maxPixels) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
        }
        this.maxPixels = maxPixels;
    }

    /** The size of {@code file} from its header, checked against the pixel limit; the pixels are not decoded. */
    public Size readSize(Path file) throws IOException {
        return withReader(file, reader -> checkedSize(file, reader));
    }

    /** The pixels of {@code file}, after the same check as {@link #readSize}. */
    public Rgb8Image decode(Path file) throws IOException {
        return withReader(file, reader -> {
            checkedSize(file, reader);
            return toRgb8(file, reader.read(0));
        });
    }

    private Size checkedSize(Path file, ImageReader reader) throws IOException {
        Size size = new Size(reader.getWidth(0), reader.getHeight(0));
        if (size.area() > maxPixels) {
            throw new InvalidDatasetException("dataset", file + ": " + size + " is " + size.area()
                    + " pixels, more than the limit of "
                    + maxPixels + " (refused as a possible decompression bomb)");
        }
        return size;
    }

    private interface ReaderTask<T> {
        T run(ImageReader reader) throws IOException;
    }

    private static <T> T withReader(Path file, ReaderTask<T> task) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new InvalidDatasetException("dataset", file + ": cannot be opened");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new InvalidDatasetException("dataset", file + ": not a PNG, JPEG or WebP image");
            }
            ImageReader reader = readers.next();
            String format = reader.getFormatName().toLowerCase(Locale.ROOT);
            if (!FORMATS.contains(format)) {
                reader.dispose();
                throw new InvalidDatasetException("dataset",
                        file + ": a " + format + " image; expected PNG, JPEG or WebP");
            }
            try {
                reader.setInput(in, true, true);
                return task.run(reader);
            } catch (IOException | RuntimeException e) {
                if (e.getMessage() != null && e.getMessage().startsWith(file.toString())) {
                    throw e;
                }
                throw new InvalidDatasetException("dataset",
                        file + ": cannot decode as " + format + ": " + e.getMessage(), e);
            } finally {
                reader.dispose();
            }
        }
    }

    private static Rgb8Image toRgb8(Path file, BufferedImage image) throws IOException {
        int w = image.getWidth();
        int h = image.getHeight();
        Raster raster = image.getRaster();
        ColorModel colors = image.getColorModel();
        byte[] rgb = new byte[3 * w * h];
        if (colors instanceof IndexColorModel palette) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int index = raster.getSample(x, y, 0);
                    int at = (y * w + x) * 3;
                    rgb[at] = (byte) palette.getRed(index);
                    rgb[at + 1] = (byte) palette.getGreen(index);
                    rgb[at + 2] = (byte) palette.getBlue(index);
                }
            }
            return new Rgb8Image(w, h, rgb);
        }
        int components = colors.getNumColorComponents();
        if (components != 1 && components != 3) {
            throw new InvalidDatasetException("dataset",
                    file + ": " + components + " colour components; expected grey or RGB");
        }
        int bands = raster.getNumBands();
        int[] bits = new int[3];
        for (int c = 0; c < 3; c++) {
            bits[c] = raster.getSampleModel().getSampleSize(components == 1 ? 0 : c);
        }
        int[] row = new int[w * bands];
        for (int y = 0; y < h; y++) {
            raster.getPixels(0, y, w, 1, row);
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    int band = components == 1 ? 0 : c;
                    rgb[(y * w + x) * 3 + c] = (byte) to8Bits(row[x * bands + band], bits[c]);
                }
            }
        }
        return new Rgb8Image(w, h, rgb);
    }

    private static int to8Bits(int sample, int bits) {
        if (bits == 8) {
            return sample;
        }
        if (bits > 8) {
            return sample >>> (bits - 8);
        }
        return sample * 255 / ((1 << bits) - 1);
    }
}
