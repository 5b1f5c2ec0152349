package dev.diffarm.farm.config;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256, which every Java runtime must provide. */
final class Sha256 {
    private Sha256() {
    }

    static byte[] digest(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java runtime lacks SHA-256, which the platform requires", e);
        }
    }

    static String hex(byte[] data) {
        return HexFormat.of().formatHex(digest(data));
    }
}
