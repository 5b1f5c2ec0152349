package dev.diffarm.daemon.a1111;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.image.RgbImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/** The text chunks of PNGs, read without decoding pixels and without inflating a bomb. */
class PngTextTest {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @Test
    void readsTheParametersTheEngineWritesLatin1AndUtf8() {
        RgbImage image = new RgbImage(2, 2, new float[12]);
        assertEquals(Map.of("parameters", "a cat\nSteps: 2"), PngText.read(PngWriter.encode(image, "a cat\nSteps: 2")));
        assertEquals("ein Kätzchen, 猫", PngText.read(PngWriter.encode(image, "ein Kätzchen, 猫")).get("parameters"));
    }

    @Test
    void inflatesCompressedTextUpToItsLimitOnly() {
        byte[] small = png(chunk("zTXt", concat("Comment\0\0".getBytes(StandardCharsets.ISO_8859_1),
                deflate("hello".getBytes(StandardCharsets.ISO_8859_1)))));
        assertEquals(Map.of("Comment", "hello"), PngText.read(small));

        byte[] bomb = png(chunk("zTXt", concat("parameters\0\0".getBytes(StandardCharsets.ISO_8859_1),
                deflate(new byte[64 << 20]))));
        assertTrue(bomb.length < 100_000, "64 MB of zeros compress to " + bomb.length + " bytes");
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> PngText.read(bomb));
        assertEquals("the PNG holds more than " + PngText.MAX_TEXT_BYTES + " bytes of text", refused.getMessage());
    }

    @Test
    void refusesWhatIsNoPngOrIsCutShortSayingWhy() {
        assertEquals("not a PNG: it does not start with the PNG signature",
                assertThrows(IllegalArgumentException.class, () -> PngText.read("hello".getBytes())).getMessage());
        byte[] whole = PngWriter.encode(new RgbImage(2, 2, new float[12]), "x");
        for (int length : new int[] {20, 40, 45, whole.length - 13}) {
            byte[] cut = Arrays.copyOf(whole, length);
            String message = assertThrows(IllegalArgumentException.class, () -> PngText.read(cut)).getMessage();
            assertTrue(message.contains("runs past its end") || message.contains("is cut short"), message);
        }
        byte[] lying = png(chunk("tEXt", new byte[0]));
        ByteBuffer.wrap(lying).putInt(SIGNATURE.length, Integer.MAX_VALUE);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PngText.read(lying)).getMessage()
                .contains("runs past its end"));
    }

    private static byte[] png(byte[] chunk) {
        return concat(SIGNATURE, chunk, chunk("IEND", new byte[0]));
    }

    private static byte[] chunk(String type, byte[] data) {
        return concat(ByteBuffer.allocate(4).putInt(data.length).array(), type.getBytes(StandardCharsets.ISO_8859_1),
                data, new byte[4]);
    }

    private static byte[] deflate(byte[] data) {
        Deflater deflater = new Deflater(9);
        deflater.setInput(data);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
