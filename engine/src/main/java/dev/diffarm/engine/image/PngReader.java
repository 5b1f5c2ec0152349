package dev.diffarm.engine.image;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * Reads PNG files: their pixels as an {@link RgbImage} (the input of img2img) and their text chunks,
 * among them A1111's {@code parameters}.
 *
 * <p>Pixels are taken as Pillow's {@code convert("RGB")} takes them, which is what diffusers' {@code
 * load_image} does: grey is copied to the three channels, alpha is dropped (not composited), palette
 * indices are looked up, colour profiles are ignored. 1-, 2- and 4-bit grey is scaled to 0..255 as
 * Pillow does; 16-bit samples keep their high byte, as Pillow does for 16-bit RGB (for 16-bit grey
 * Pillow clips at 255 instead; diffarm takes the high byte there too).
 */
public final class PngReader {
    private static final String PNG_METADATA_FORMAT = "javax_imageio_png_1.0";

    private PngReader() {
    }

    /** The pixels of {@code png} as float32 [3, H, W] in [0, 1], each sample divided by 255 as diffusers does. */
    public static RgbImage readImage(Path png) throws IOException {
        return withReader(png, reader -> toRgb(reader.read(0)));
    }

    /**
     * The text of every {@code tEXt}, {@code zTXt} and {@code iTXt} chunk of {@code png}, decompressed,
     * by keyword (if a keyword repeats, the last one read wins).
     */
    public static Map<String, String> readText(Path png) throws IOException {
        return withReader(png, reader -> {
            Node root = reader.getImageMetadata(0).getAsTree(PNG_METADATA_FORMAT);
            Map<String, String> text = new LinkedHashMap<>();
            for (Node chunk = root.getFirstChild(); chunk != null; chunk = chunk.getNextSibling()) {
                String valueAttribute = switch (chunk.getNodeName()) {
                    case "tEXt" -> "value";
                    case "zTXt", "iTXt" -> "text";
                    default -> null;
                };
                if (valueAttribute != null) {
                    for (Node entry = chunk.getFirstChild(); entry != null; entry = entry.getNextSibling()) {
                        NamedNodeMap attributes = entry.getAttributes();
                        text.put(attributes.getNamedItem("keyword").getNodeValue(),
                                attributes.getNamedItem(valueAttribute).getNodeValue());
                    }
                }
            }
            return text;
        });
    }

    /** A1111's generation parameters text of {@code png}, if it has one. */
    public static Optional<String> readParameters(Path png) throws IOException {
        return Optional.ofNullable(readText(png).get(PngWriter.PARAMETERS_KEYWORD));
    }

    private interface ReaderTask<T> {
        T run(ImageReader reader) throws IOException;
    }

    private static <T> T withReader(Path png, ReaderTask<T> task) throws IOException {
        ImageReader reader = ImageIO.getImageReadersByFormatName("png").next();
        try (ImageInputStream in = ImageIO.createImageInputStream(png.toFile())) {
            if (in == null) {
                throw new IOException("the file cannot be opened");
            }
            reader.setInput(in, true, false);
            return task.run(reader);
        } catch (IOException e) {
            throw new IOException(png + ": cannot read as PNG: " + e.getMessage(), e);
        } finally {
            reader.dispose();
        }
    }

    private static RgbImage toRgb(BufferedImage image) throws IOException {
        int w = image.getWidth();
        int h = image.getHeight();
        Raster raster = image.getRaster();
        ColorModel colors = image.getColorModel();
        boolean palette = colors instanceof IndexColorModel;
        int channels = colors.getNumColorComponents();
        if (!palette && channels != 1 && channels != 3) {
            throw new IOException(channels + " colour components; expected grey or RGB");
        }
        float[] chw = new float[3 * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    int sample = palette ? paletteSample((IndexColorModel) colors, raster.getSample(x, y, 0), c)
                            : to8Bits(raster, x, y, channels == 1 ? 0 : c);
                    chw[(c * h + y) * w + x] = PixelCodec.toFloat(sample);
                }
            }
        }
        return new RgbImage(w, h, chw);
    }

    private static int paletteSample(IndexColorModel palette, int index, int channel) {
        return switch (channel) {
            case 0 -> palette.getRed(index);
            case 1 -> palette.getGreen(index);
            default -> palette.getBlue(index);
        };
    }

    private static int to8Bits(Raster raster, int x, int y, int band) throws IOException {
        int bits = raster.getSampleModel().getSampleSize(band);
        int sample = raster.getSample(x, y, band);
        if (bits == 8) {
            return sample;
        }
        if (bits == 16) {
            return sample >>> 8;
        }
        if (bits < 8) {
            return sample * 255 / ((1 << bits) - 1);
        }
        throw new IOException(bits + "-bit samples; expected 1, 2, 4, 8 or 16");
    }
}
