package dev.diffarm.daemon.s3;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * An object of any size made up as it is read, never held in memory: pseudo-random bytes (xorshift64*, so that no
 * layer can compress them) from a seed, and their SHA-256 once all are read. For the tests and the benchmark that
 * stream objects larger than a part, or than the heap, through the store.
 */
final class GeneratedContent extends InputStream {
    private final long length;
    private final MessageDigest digest;
    private long state;
    private long position;
    private long word;

    GeneratedContent(long length, long seed) {
        this.length = length;
        this.state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
        this.digest = newSha256();
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int count) {
        if (position == length) {
            return -1;
        }
        int n = (int) Math.min(count, length - position);
        for (int i = 0; i < n; i++) {
            if ((position & 7) == 0) {
                state ^= state >>> 12;
                state ^= state << 25;
                state ^= state >>> 27;
                word = state * 0x2545F4914F6CDD1DL;
            }
            buffer[offset + i] = (byte) (word >>> ((position & 7) << 3));
            position++;
        }
        digest.update(buffer, offset, n);
        return n;
    }

    /** The SHA-256 of the bytes, as lowercase hex; only once every byte was read. */
    String sha256() {
        if (position != length) {
            throw new IllegalStateException("read " + position + " of " + length + " bytes; the digest is not complete");
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The SHA-256 of what {@code in} holds from here to its end, read through a buffer of 1 MiB. */
    static String sha256Of(InputStream in) throws IOException {
        MessageDigest digest = newSha256();
        byte[] buffer = new byte[1 << 20];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
