package dev.diffarm.engine.image;

import dev.diffarm.engine.io.AtomicFile;
import dev.diffarm.engine.train.data.Rgb8Image;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Saves an {@link RgbImage} as an 8-bit RGB PNG with AUTOMATIC1111's {@code parameters} text chunk,
 * so that A1111's "PNG Info", civitai and {@link PngReader} can read how the image was made.
 *
 * <p>The text goes where A1111 (through Pillow's {@code PngInfo.add_text}) puts it: a {@code tEXt}
 * chunk when it is Latin-1, which is all a {@code tEXt} chunk may hold, otherwise an uncompressed
 * UTF-8 {@code iTXt} chunk. Both come before the image data.
 */
public final class PngWriter {
    /** The keyword A1111 writes the generation parameters under. */
    public static final String PARAMETERS_KEYWORD = "parameters";
    private static final String PNG_METADATA_FORMAT = "javax_imageio_png_1.0";

    private PngWriter() {
    }

    /** Writes {@code image} with {@code parameters} to {@code target}, replacing it atomically. */
    public static void write(RgbImage image, String parameters, Path target) throws IOException {
        AtomicFile.write(target, encode(image, parameters));
    }

    /** The PNG file of {@code image} with {@code parameters} (A1111's infotext) in its text chunk. */
    public static byte[] encode(RgbImage image, String parameters) {
        int nul = parameters.indexOf('\0');
        if (nul >= 0) {
            throw new IllegalArgumentException("PNG text cannot hold a NUL character; parameters has one at index " + nul);
        }
        BufferedImage pixels = toBufferedImage(image);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        try {
            ImageWriteParam param = writer.getDefaultWriteParam();
            IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(pixels), param);
            metadata.mergeTree(PNG_METADATA_FORMAT, textChunk(parameters));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
                writer.setOutput(stream);
                writer.write(null, new IIOImage(pixels, null, metadata), param);
            }
            return out.toByteArray();
        } catch (IOException e) {
            // only memory is written to: an IOException here is a bug in the PNG encoder, not the disk
            throw new UncheckedIOException("cannot encode PNG", e);
        } finally {
            writer.dispose();
        }
    }

    /**
     * The 8-bit samples the PNG of {@code image} holds, row by row, R, G, B: what a reader of the file gets back, so
     * that work on a rendered image in memory sees what work on its file would.
     */
    public static Rgb8Image samples(RgbImage image) {
        int w = image.width();
        int h = image.height();
        byte[] rgb = new byte[3 * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    float v = image.get(c, y, x);
                    if (Float.isNaN(v)) {
                        throw new IllegalArgumentException("image value is NaN at channel " + c + ", row " + y
                                + ", column " + x);
                    }
                    rgb[(y * w + x) * 3 + c] = (byte) PixelCodec.toByte(v);
                }
            }
        }
        return new Rgb8Image(w, h, rgb);
    }

    private static BufferedImage toBufferedImage(RgbImage image) {
        byte[] samples = samples(image).rgb();
        int[] rgb = new int[samples.length];
        for (int i = 0; i < samples.length; i++) {
            rgb[i] = samples[i] & 0xff;
        }
        BufferedImage pixels = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_3BYTE_BGR);
        pixels.getRaster().setPixels(0, 0, image.width(), image.height(), rgb);
        return pixels;
    }

    private static IIOMetadataNode textChunk(String text) {
        IIOMetadataNode chunk;
        if (StandardCharsets.ISO_8859_1.newEncoder().canEncode(text)) {
            chunk = new IIOMetadataNode("tEXt");
            IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
            entry.setAttribute("keyword", PARAMETERS_KEYWORD);
            entry.setAttribute("value", text);
            chunk.appendChild(entry);
        } else {
            chunk = new IIOMetadataNode("iTXt");
            IIOMetadataNode entry = new IIOMetadataNode("iTXtEntry");
            entry.setAttribute("keyword", PARAMETERS_KEYWORD);
            entry.setAttribute("compressionFlag", "FALSE");
            entry.setAttribute("compressionMethod", "0");
            entry.setAttribute("languageTag", "");
            entry.setAttribute("translatedKeyword", "");
            entry.setAttribute("text", text);
            chunk.appendChild(entry);
        }
        IIOMetadataNode root = new IIOMetadataNode(PNG_METADATA_FORMAT);
        root.appendChild(chunk);
        return root;
    }
}
