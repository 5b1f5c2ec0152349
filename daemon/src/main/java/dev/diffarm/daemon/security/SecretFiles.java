package dev.diffarm.daemon.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Secrets read from files (a mounted Kubernetes secret, a file only the daemon's user may read) rather than from a
 * setting's value, which too many tools print. An error names the setting and the file, never what the file holds.
 */
public final class SecretFiles {
    /** A secret file is a line or a JAAS stanza: anything larger is not what the setting meant. */
    static final long MAX_BYTES = 64 * 1024;

    private SecretFiles() {
    }

    /**
     * The secret in {@code file}, without surrounding white space (an editor's final line break).
     *
     * @param setting the setting that named the file, for the message
     * @throws IllegalArgumentException when the file is missing, unreadable, empty or too large
     */
    public static String read(String setting, String file) {
        Path path = Path.of(file);
        try {
            if (Files.size(path) > MAX_BYTES) {
                throw new IllegalArgumentException(setting + " = " + path + ": larger than " + MAX_BYTES + " bytes");
            }
            String text = Files.readString(path, StandardCharsets.UTF_8).strip();
            if (text.isEmpty()) {
                throw new IllegalArgumentException(setting + " = " + path + ": the file is empty");
            }
            return text;
        } catch (IOException e) {
            throw new IllegalArgumentException(setting + " = " + path + ": cannot be read (" + e.getClass().getSimpleName()
                    + ")");
        }
    }
}
