package dev.diffarm.daemon.rest;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/** The daemon with a keys file of two tenants, a read-only key, an admin and a key that a test revokes. */
public class ApiKeysProfile implements QuarkusTestProfile {
    static final String ACME = "acme-secret-1";
    static final String ACME_READER = "acme-reader-2";
    static final String GLOBEX = "globex-secret-3";
    static final String ADMIN = "ops-admin-4";
    static final String REVOCABLE = "acme-temporary-5";

    /** The keys file's text: {@code withRevocable} false is the file after the temporary key was revoked. */
    static String keysFile(boolean withRevocable) {
        return "# tenant roles sha256-of-key\n"
                + "acme submit,read " + sha256(ACME) + "\n"
                + "acme read " + sha256(ACME_READER) + "\n"
                + "\n"
                + "globex submit,read " + sha256(GLOBEX) + "\n"
                + "ops admin " + sha256(ADMIN) + "\n"
                + "this line is malformed\n"
                + (withRevocable ? "acme submit,read " + sha256(REVOCABLE) + "\n" : "");
    }

    static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        try {
            Path file = Files.createTempFile("diffarm-api-keys", ".txt");
            file.toFile().deleteOnExit();
            Files.writeString(file, keysFile(true));
            return Map.of("diffarm.api-keys-file", file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
