package dev.diffarm.engine.clip;

import java.nio.charset.StandardCharsets;

/**
 * GPT-2's reversible map from bytes to printable characters, on which CLIP's byte-level BPE vocabulary is
 * written: the 188 bytes that are printable Latin-1 characters ({@code !..~}, {@code ¡..¬}, {@code ®..ÿ})
 * stand for themselves, and the other 68 (controls, space, DEL, NBSP, soft hyphen) are moved, in byte
 * order, to U+0100 onwards, so that no symbol of the vocabulary is whitespace or a control character.
 */
final class ByteAlphabet {
    private static final char[] CHAR_OF_BYTE = buildTable();

    private ByteAlphabet() {
    }

    private static char[] buildTable() {
        char[] table = new char[256];
        int moved = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? (char) b : (char) (256 + moved++);
        }
        return table;
    }

    /** The character that stands for byte {@code b} (0..255). */
    static char charOf(int b) {
        return CHAR_OF_BYTE[b];
    }

    /** {@code text}'s UTF-8 bytes, each written as its character of the alphabet. */
    static String encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = CHAR_OF_BYTE[bytes[i] & 0xff];
        }
        return new String(chars);
    }
}
