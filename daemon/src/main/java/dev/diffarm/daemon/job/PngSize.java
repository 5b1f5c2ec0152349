package dev.diffarm.daemon.job;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/** A PNG's width and height, read from its header alone (so that checking a dataset decodes no image). */
record PngSize(int width, int height) {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final int IHDR = 0x49484452;

    /** The size of the PNG {@code file}; empty if it is not one. */
    static Optional<PngSize> of(Path file) {
        try (InputStream in = Files.newInputStream(file); DataInputStream data = new DataInputStream(in)) {
            byte[] signature = new byte[SIGNATURE.length];
            data.readFully(signature);
            data.readInt(); // the header chunk's length
            if (!Arrays.equals(signature, SIGNATURE) || data.readInt() != IHDR) {
                return Optional.empty();
            }
            return Optional.of(new PngSize(data.readInt(), data.readInt()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
