package dev.diffarm.engine.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PngRoundTripTest {
    private static final String INFOTEXT = "a painting of a cat in the snow\nNegative prompt: ugly, blurry\n"
            + "Steps: 7, Sampler: Euler a, CFG scale: 7.5, Seed: 42, Size: 32x32, Model hash: 81508fa2d4, Model: sd-tiny";

    @TempDir
    Path dir;

    @Test
    void pixelsAndParametersSurviveTheRoundTrip() throws IOException {
        Random random = new Random(7);
        int w = 7;
        int h = 5;
        float[] chw = new float[3 * w * h];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = random.nextFloat() * 1.2f - 0.1f; // some values outside [0, 1], which are clamped
        }
        Path png = dir.resolve("out.png");
        PngWriter.write(new RgbImage(w, h, chw), INFOTEXT, png);

        RgbImage read = PngReader.readImage(png);
        assertEquals(w, read.width());
        assertEquals(h, read.height());
        double maxError = 0;
        for (int i = 0; i < chw.length; i++) {
            float clamped = Math.min(1f, Math.max(0f, chw[i]));
            assertEquals(PixelCodec.toFloat(PixelCodec.toByte(chw[i])), read.chw()[i], 0f, "value " + i);
            maxError = Math.max(maxError, Math.abs(read.chw()[i] - clamped));
        }
        System.out.printf("png round trip: max |read - clamp(x)| = %.3g (quantization bound 0.5/255 = %.3g)%n",
                maxError, 0.5 / 255);
        assertTrue(maxError <= 0.5 / 255 + 1e-7);
        assertEquals(Optional.of(INFOTEXT), PngReader.readParameters(png));
    }

    /** Checked on the bytes, not through ImageIO: a Latin-1 tEXt chunk keyed "parameters", before the pixels. */
    @Test
    void parametersGoInATextChunkBeforeTheImageData() throws IOException {
        Path png = dir.resolve("out.png");
        PngWriter.write(new RgbImage(2, 2, new float[12]), INFOTEXT, png);
        List<String> order = new ArrayList<>();
        Map<String, byte[]> chunks = chunks(Files.readAllBytes(png), order);
        assertEquals("IHDR", order.get(0));
        byte[] ihdr = chunks.get("IHDR");
        assertEquals(8, ihdr[8], "bit depth");
        assertEquals(2, ihdr[9], "colour type RGB");
        assertTrue(order.indexOf("tEXt") >= 0 && order.indexOf("tEXt") < order.indexOf("IDAT"), order.toString());
        assertFalse(order.contains("iTXt"));
        assertArrayEquals(("parameters\0" + INFOTEXT).getBytes(StandardCharsets.ISO_8859_1), chunks.get("tEXt"));
    }

    /** As Pillow's add_text does for A1111: text that Latin-1 cannot hold goes into an uncompressed UTF-8 iTXt. */
    @Test
    void textBeyondLatin1GoesIntoAnInternationalTextChunk() throws IOException {
        String text = "雪の中の猫 🐱\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 8x8, Model hash: 0123456789, Model: m";
        Path png = dir.resolve("out.png");
        PngWriter.write(new RgbImage(1, 1, new float[3]), text, png);
        List<String> order = new ArrayList<>();
        byte[] itxt = chunks(Files.readAllBytes(png), order).get("iTXt");
        assertFalse(order.contains("tEXt"));
        // keyword, NUL, compression flag 0, method 0, empty language tag + NUL, empty translated keyword + NUL
        byte[] prefix = "parameters\0\0\0\0\0".getBytes(StandardCharsets.ISO_8859_1);
        assertArrayEquals(prefix, Arrays.copyOf(itxt, prefix.length));
        assertEquals(text, new String(itxt, prefix.length, itxt.length - prefix.length, StandardCharsets.UTF_8));
        assertEquals(Optional.of(text), PngReader.readParameters(png));
    }

    /**
     * A real pipeline output (the fixture's Euler a image, diffusers' output_type="pt") saved as PNG
     * holds exactly the bytes diffusers' numpy_to_pil makes of it: the SHA-256 of those bytes (H, W, RGB
     * order) was computed with numpy from the same tensor.
     */
    @Test
    void savedPipelineImageHasTheBytesDiffusersWouldSave() throws IOException, NoSuchAlgorithmException {
        RgbImage image;
        try (SafetensorsFile run = SafetensorsFile.open(Fixtures.sdTiny("run-Euler_a-7steps.safetensors"));
             NDManager m = NDManager.newBaseManager()) {
            NDArray pt = run.load("image", m);
            image = RgbImage.of(pt);
            assertEquals(32, image.width());
            try (NDArray back = image.toNDArray(m)) {
                assertArrayEquals(pt.toFloatArray(), back.toFloatArray(), 0f);
            }
        }
        Path png = dir.resolve("cat.png");
        PngWriter.write(image, INFOTEXT, png);
        BufferedImage decoded = ImageIO.read(png.toFile());
        byte[] hwc = new byte[3 * 32 * 32];
        int[] rgb = decoded.getRaster().getPixels(0, 0, 32, 32, (int[]) null);
        for (int i = 0; i < rgb.length; i++) {
            hwc[i] = (byte) rgb[i];
        }
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(hwc));
        assertEquals("87f06a67b5bfdf017979315870fc7a49c8f9e8018c5ec2cb2d5057674c8ab138", sha);
    }

    @Test
    void readsGreyAlphaPaletteAndSixteenBitImagesAsPillowConvertsThemToRgb() throws IOException {
        BufferedImage grey = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setPixels(0, 0, 2, 1, new int[] {0, 200});
        assertPixels(grey, new int[][] {{0, 0, 0}, {200, 200, 200}});

        BufferedImage rgba = new BufferedImage(2, 1, BufferedImage.TYPE_4BYTE_ABGR);
        rgba.getRaster().setPixels(0, 0, 2, 1, new int[] {10, 20, 30, 0, 40, 50, 60, 128});
        assertPixels(rgba, new int[][] {{10, 20, 30}, {40, 50, 60}}); // alpha dropped, not composited

        BufferedImage grey16 = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        grey16.getRaster().setPixels(0, 0, 2, 1, new int[] {0x12ff, 0xab00});
        assertPixels(grey16, new int[][] {{0x12, 0x12, 0x12}, {0xab, 0xab, 0xab}});

        IndexColorModel colours = new IndexColorModel(8, 2, new byte[] {5, 100}, new byte[] {6, (byte) 200}, new byte[] {7, 9});
        BufferedImage palette = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_INDEXED, colours);
        palette.getRaster().setPixels(0, 0, 2, 1, new int[] {1, 0});
        assertPixels(palette, new int[][] {{100, 200, 9}, {5, 6, 7}});

        BufferedImage binary = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_BINARY);
        binary.getRaster().setPixels(0, 0, 2, 1, new int[] {1, 0});
        assertPixels(binary, new int[][] {{255, 255, 255}, {0, 0, 0}});
    }

    @Test
    void refusesNaNPixelsAndFilesThatAreNotPng() throws IOException {
        float[] chw = new float[12];
        chw[4] = Float.NaN; // (channel 1 · 2 rows + row 0) · 2 columns + column 0
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> PngWriter.encode(new RgbImage(2, 2, chw), INFOTEXT));
        assertTrue(nan.getMessage().contains("channel 1, row 0, column 0"), nan.getMessage());

        Path notPng = Files.writeString(dir.resolve("fake.png"), "GIF89a, not a PNG at all");
        IOException e = assertThrows(IOException.class, () -> PngReader.readImage(notPng));
        assertTrue(e.getMessage().startsWith(notPng.toString()), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PngWriter.encode(new RgbImage(1, 1, new float[3]), "a\0b"));
    }

    private void assertPixels(BufferedImage source, int[][] expectedRgb) throws IOException {
        Path png = dir.resolve("source.png");
        assertTrue(ImageIO.write(source, "png", png.toFile()));
        RgbImage read = PngReader.readImage(png);
        for (int x = 0; x < expectedRgb.length; x++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(expectedRgb[x][c] / 255f, read.get(c, 0, x), 0f,
                        "type " + source.getType() + ", pixel " + x + ", channel " + c);
            }
        }
    }

    /** The chunks of a PNG file by type (the last of a type wins), their order in {@code order}. */
    private static Map<String, byte[]> chunks(byte[] png, List<String> order) {
        ByteBuffer in = ByteBuffer.wrap(png);
        in.position(8);
        Map<String, byte[]> chunks = new HashMap<>();
        while (in.hasRemaining()) {
            int length = in.getInt();
            byte[] type = new byte[4];
            in.get(type);
            byte[] data = new byte[length];
            in.get(data);
            in.getInt(); // CRC
            String name = new String(type, StandardCharsets.ISO_8859_1);
            order.add(name);
            chunks.put(name, data);
        }
        return chunks;
    }
}
