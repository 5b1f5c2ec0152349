package dev.diffarm.daemon.security;

import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;

/**
 * One line of the keys file: a key, known only by its SHA-256, that acts for {@code tenant} with {@code roles}.
 *
 * @param tenant the tenant the key's jobs belong to
 * @param roles  what the key may do
 * @param sha256 the SHA-256 of the key's text (UTF-8), 32 bytes
 */
record ApiKey(String tenant, Set<Role> roles, byte[] sha256) {
    ApiKey {
        Objects.requireNonNull(tenant, "tenant");
        roles = Set.copyOf(roles);
        if (sha256.length != 32) {
            throw new IllegalArgumentException("a SHA-256 has 32 bytes, not " + sha256.length);
        }
        sha256 = sha256.clone();
    }

    @Override
    public String toString() {
        // Only a prefix of the hash: enough to tell keys apart in a log, of no use to guess one.
        return "ApiKey[" + tenant + " " + roles + " " + HexFormat.of().formatHex(sha256, 0, 4) + "...]";
    }
}
