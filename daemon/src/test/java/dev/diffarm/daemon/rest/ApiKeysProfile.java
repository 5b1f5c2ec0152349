package dev.diffarm.daemon.rest;

import dev.diffarm.daemon.security.TestJwts;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The daemon with a keys file of two tenants, a read-only key, an admin and a key that a test revokes; and, side by
 * side with the keys, bearer JWTs of issuer {@value #JWT_ISSUER} for audience {@value #JWT_AUDIENCE}, signed with an RSA
 * key pair made here (its private half beside the public PEM, as {@value #PRIVATE_KEY_FILE}, for the tests to sign
 * with).
 */
public class ApiKeysProfile implements QuarkusTestProfile {
    static final String ACME = "acme-secret-1";
    static final String ACME_READER = "acme-reader-2";
    static final String GLOBEX = "globex-secret-3";
    static final String ADMIN = "ops-admin-4";
    static final String REVOCABLE = "acme-temporary-5";
    static final String JWT_ISSUER = "https://idp.test";
    static final String JWT_AUDIENCE = "diffarm";
    static final String PRIVATE_KEY_FILE = "jwt-private.pk8";

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
            Path jwtDir = Files.createTempDirectory("diffarm-jwt");
            KeyPair pair = TestJwts.rsa();
            Path publicKey = Files.writeString(jwtDir.resolve("jwt-public.pem"), TestJwts.pem(pair.getPublic()));
            Files.write(jwtDir.resolve(PRIVATE_KEY_FILE), pair.getPrivate().getEncoded());
            return Map.of("diffarm.api-keys-file", file.toString(), "diffarm.jwt.public-key", publicKey.toString(),
                    "diffarm.jwt.issuer", JWT_ISSUER, "diffarm.jwt.audience", JWT_AUDIENCE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
