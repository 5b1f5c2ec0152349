package dev.diffarm.engine.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDecoderTest {
    private final ImageDecoder decoder = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS);

    @TempDir
    Path dir;

    /** The fixture's PNGs are the run's {@code images} exactly: (png / 255 - 0.5) / 0.5 in float32. */
    @Test
    void fixturePngsGiveTheRunsImagesExactly() throws IOException {
        Path data = SharedTrainFixtures.sdTiny("train-data");
        float[] images = SharedTrainFixtures.runImages();
        int per = 3 * 32 * 32;
        double worst = 0;
        for (int i = 0; i < 4; i++) {
            Rgb8Image png = decoder.decode(data.resolve("img" + i + ".png"));
            assertEquals(new Size(32, 32), png.size());
            float[] mine = png.toModelInput();
            float[] theirs = Arrays.copyOfRange(images, i * per, (i + 1) * per);
            for (int k = 0; k < per; k++) {
                worst = Math.max(worst, Math.abs(mine[k] - theirs[k]));
            }
            assertArrayEquals(theirs, mine, 0f, "img" + i);
        }
        System.out.println("train-data PNG -> [-1, 1]: max abs error " + worst + " over 4 images");
    }

    @Test
    void webpLosslessAndPngOfTheSamePixelsDecodeAlike() throws IOException {
        Rgb8Image png = decoder.decode(resource("pattern.png"));
        Rgb8Image webp = decoder.decode(resource("pattern.webp"));
        assertEquals(new Size(7, 5), png.size());
        assertEquals(png, webp);
        assertEquals((3 * 37 + 2 * 11) % 256, png.get(3, 2, 0));
        assertEquals((3 * 5 + 2 * 53) % 256, png.get(3, 2, 1));
        assertEquals((9 + 12) % 256, png.get(3, 2, 2));
    }

    @Test
    void jpegAndGreyImagesDecodeToRgb() throws IOException {
        BufferedImage grey = new BufferedImage(4, 3, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(2, 1, 0, 200);
        Path greyPng = dir.resolve("grey.png");
        ImageIO.write(grey, "png", greyPng.toFile());
        Rgb8Image decoded = decoder.decode(greyPng);
        assertEquals(200, decoded.get(2, 1, 0));
        assertEquals(200, decoded.get(2, 1, 2));
        assertEquals(0, decoded.get(0, 0, 1));

        BufferedImage flat = new BufferedImage(16, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 16; x++) {
                flat.setRGB(x, y, 0x4080c0);
            }
        }
        Path jpeg = dir.resolve("flat.jpg");
        ImageIO.write(flat, "jpeg", jpeg.toFile());
        Rgb8Image photo = decoder.decode(jpeg);
        assertEquals(new Size(16, 8), decoder.readSize(jpeg));
        assertTrue(Math.abs(photo.get(5, 5, 0) - 0x40) <= 2 && Math.abs(photo.get(5, 5, 2) - 0xc0) <= 2,
                "a flat JPEG keeps its colour within JPEG's rounding: " + photo.get(5, 5, 0) + ","
                        + photo.get(5, 5, 2));
    }

    /**
     * A 4:2:0 JPEG decoded by ImageIO against Pillow's decoding of it ({@code make_jpeg_reference.py}). JPEG leaves
     * the IDCT and chroma upsampling to the decoder; the JDK's bundled libjpeg and Pillow's libjpeg-turbo both use
     * the accurate integer IDCT and "fancy" upsampling, and give the same samples.
     */
    @Test
    void jpegDecodesCloseToPillow() throws IOException {
        SampleDifference d = SampleDifference.between(decoder.decode(resource("photo.jpg")),
                decoder.decode(resource("photo-pil.png")));
        System.out.println("JPEG 4:2:0 q90, ImageIO vs Pillow 9.4: " + d);
        assertEquals(0, d.max(), "ImageIO differs from Pillow: " + d);
    }

    /**
     * A lossy WebP decoded by TwelveMonkeys against Pillow's (libwebp's) decoding of it
     * ({@code make_webp_reference.py}). The bound records the measured difference (max 61, mean 3.1 with
     * imageio-webp 3.14.0): TwelveMonkeys turns the 4:2:0 colour into RGB differently from libwebp, so colour edges
     * differ. Lossless WebP is exact ({@link #webpLosslessAndPngOfTheSamePixelsDecodeAlike}).
     */
    @Test
    void lossyWebpDecodesCloseToPillow() throws IOException {
        SampleDifference d = SampleDifference.between(decoder.decode(resource("photo.webp")),
                decoder.decode(resource("photo-webp-pil.png")));
        System.out.println("WebP lossy q90, TwelveMonkeys vs Pillow 9.4 (libwebp): " + d);
        assertTrue(d.max() <= 64 && d.mean() < 3.5, "lossy WebP strays further from libwebp: " + d);
    }

    @Test
    void aDecompressionBombIsRefusedFromItsHeaderNamingTheFile() throws IOException {
        Path bomb = dir.resolve("bomb.png");
        Files.write(bomb, pngHeaderOnly(100_000, 100_000));
        IOException e = assertThrows(IOException.class, () -> decoder.decode(bomb));
        assertTrue(e.getMessage().contains(bomb.toString()) && e.getMessage().contains("100000x100000")
                && e.getMessage().contains("decompression bomb"), e.getMessage());

        IOException small = assertThrows(IOException.class,
                () -> new ImageDecoder(34).readSize(resource("pattern.png")));
        assertTrue(small.getMessage().contains("7x5 is 35 pixels"), small.getMessage());
    }

    @Test
    void aFileThatIsNoImageIsRefusedNamingIt() throws IOException {
        Path notImage = dir.resolve("notes.png");
        Files.writeString(notImage, "not an image", StandardCharsets.UTF_8);
        IOException e = assertThrows(IOException.class, () -> decoder.decode(notImage));
        assertTrue(e.getMessage().startsWith(notImage.toString()), e.getMessage());
    }

    static Path resource(String name) {
        try {
            return Path.of(ImageDecoderTest.class.getResource("/train-data-formats/" + name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A PNG signature and IHDR claiming {@code w x h} RGB pixels, with no image data after it. */
    private static byte[] pngHeaderOnly(int w, int h) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream fields = new DataOutputStream(ihdr);
        fields.writeBytes("IHDR");
        fields.writeInt(w);
        fields.writeInt(h);
        fields.write(new byte[] {8, 2, 0, 0, 0});
        byte[] chunk = ihdr.toByteArray();
        out.writeInt(chunk.length - 4);
        out.write(chunk);
        CRC32 crc = new CRC32();
        crc.update(chunk);
        out.writeInt((int) crc.getValue());
        return bytes.toByteArray();
    }
}
