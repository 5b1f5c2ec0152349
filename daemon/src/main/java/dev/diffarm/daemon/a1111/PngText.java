package dev.diffarm.daemon.a1111;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The text chunks of a PNG ({@code tEXt}, {@code zTXt}, {@code iTXt}) by keyword, read from its bytes without
 * decoding a pixel. Compressed text is inflated only up to {@link #MAX_TEXT_BYTES} in all: a chunk that inflates to
 * gigabytes (a decompression bomb) is refused, not expanded.
 */
final class PngText {
    /** The most text a PNG may hold here, compressed chunks inflated: A1111's infotexts are a few kilobytes. */
    static final int MAX_TEXT_BYTES = 1 << 20;
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private PngText() {
    }

    /**
     * Every text chunk's text by keyword, in file order (a repeated keyword keeps its last text).
     *
     * @throws IllegalArgumentException saying what is wrong when {@code png} is no PNG, is cut short, or holds more
     *                                  text than {@link #MAX_TEXT_BYTES}
     */
    static Map<String, String> read(byte[] png) {
        ByteBuffer in = ByteBuffer.wrap(png);
        for (byte expected : SIGNATURE) {
            if (!in.hasRemaining() || in.get() != expected) {
                throw new IllegalArgumentException("not a PNG: it does not start with the PNG signature");
            }
        }
        Map<String, String> text = new LinkedHashMap<>();
        int budget = MAX_TEXT_BYTES;
        while (true) {
            if (in.remaining() < 12) {
                throw new IllegalArgumentException("the PNG is cut short at byte " + in.position() + " (no IEND chunk)");
            }
            long length = Integer.toUnsignedLong(in.getInt());
            byte[] typeBytes = new byte[4];
            in.get(typeBytes);
            String type = new String(typeBytes, StandardCharsets.ISO_8859_1);
            if (length > in.remaining() - 4) {
                throw new IllegalArgumentException("the PNG's " + printable(type) + " chunk of " + length
                        + " bytes runs past its end");
            }
            byte[] data = new byte[(int) length];
            in.get(data);
            in.getInt(); // the CRC: a damaged chunk still shows what text it holds
            if (type.equals("IEND")) {
                return text;
            }
            TextChunk chunk = switch (type) {
                case "tEXt" -> tEXt(data);
                case "zTXt" -> zTXt(data, budget);
                case "iTXt" -> iTXt(data, budget);
                default -> null;
            };
            if (chunk != null) {
                budget -= chunk.text().length();
                if (budget < 0) {
                    throw new IllegalArgumentException("the PNG holds more than " + MAX_TEXT_BYTES + " bytes of text");
                }
                text.put(chunk.keyword(), chunk.text());
            }
        }
    }

    private record TextChunk(String keyword, String text) {
    }

    private static TextChunk tEXt(byte[] data) {
        int end = keywordEnd(data, "tEXt");
        return new TextChunk(latin1(data, 0, end), latin1(data, end + 1, data.length));
    }

    private static TextChunk zTXt(byte[] data, int budget) {
        int end = keywordEnd(data, "zTXt");
        return new TextChunk(latin1(data, 0, end), new String(inflate(data, end + 2, budget), StandardCharsets.ISO_8859_1));
    }

    /** keyword NUL, compression flag, method, language NUL, translated keyword NUL, UTF-8 text. */
    private static TextChunk iTXt(byte[] data, int budget) {
        int keyword = keywordEnd(data, "iTXt");
        if (keyword + 3 > data.length) {
            throw new IllegalArgumentException("an iTXt chunk is cut short");
        }
        boolean compressed = data[keyword + 1] != 0;
        int language = indexOfNul(data, keyword + 3, "iTXt");
        int translated = indexOfNul(data, language + 1, "iTXt");
        byte[] text = compressed ? inflate(data, translated + 1, budget)
                : java.util.Arrays.copyOfRange(data, translated + 1, data.length);
        return new TextChunk(latin1(data, 0, keyword), new String(text, StandardCharsets.UTF_8));
    }

    private static byte[] inflate(byte[] data, int from, int budget) {
        if (from > data.length) {
            throw new IllegalArgumentException("a compressed text chunk is cut short");
        }
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(data, from, data.length - from);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new IllegalArgumentException("a compressed text chunk is cut short");
                }
                out.write(buffer, 0, n);
                if (out.size() > budget) {
                    throw new IllegalArgumentException("the PNG holds more than " + MAX_TEXT_BYTES + " bytes of text");
                }
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("a compressed text chunk is not valid zlib data: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }

    private static int keywordEnd(byte[] data, String type) {
        return indexOfNul(data, 0, type);
    }

    private static int indexOfNul(byte[] data, int from, String type) {
        for (int i = from; i < data.length; i++) {
            if (data[i] == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("a " + type + " chunk has no NUL after its keyword");
    }

    private static String latin1(byte[] data, int from, int to) {
        return new String(data, from, to - from, StandardCharsets.ISO_8859_1);
    }

    private static String printable(String type) {
        return type.chars().allMatch(c -> c >= 'A' && c <= 'z') ? type : "unnamed";
    }
}
