package dev.diffarm.daemon.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/** Reads a public key from a PEM file ({@code -----BEGIN PUBLIC KEY-----}, X.509 SubjectPublicKeyInfo). */
final class PemPublicKey {
    private static final String BEGIN = "-----BEGIN PUBLIC KEY-----";
    private static final String END = "-----END PUBLIC KEY-----";
    /** The kinds of key a JWT may be verified with; the PEM does not say which it holds, the key's bytes do. */
    private static final List<String> KINDS = List.of("RSA", "EC", "Ed25519");
    /** A public key in PEM is a few hundred bytes to a few KB. */
    private static final long MAX_BYTES = 64 * 1024;

    private PemPublicKey() {
    }

    /**
     * The key in {@code file}.
     *
     * @param setting the setting that named the file, for the message
     * @throws IllegalArgumentException naming the setting, the file and what is wrong with it
     */
    static PublicKey read(String setting, Path file) {
        String text;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new IllegalArgumentException(setting + " = " + file + ": larger than " + MAX_BYTES
                        + " bytes; expected a PEM public key");
            }
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException(setting + " = " + file + ": cannot be read (" + e + ")");
        }
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException(setting + " = " + file + ": no " + BEGIN + " ... " + END
                    + " block; expected a PEM public key (RSA, EC or Ed25519)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(begin + BEGIN.length(), end));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(setting + " = " + file + ": the PEM block is not base64");
        }
        for (String kind : KINDS) {
            try {
                return KeyFactory.getInstance(kind).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException notThisKind) {
                // try the next kind
            }
        }
        throw new IllegalArgumentException(setting + " = " + file + ": not an RSA, EC or Ed25519 public key");
    }
}
