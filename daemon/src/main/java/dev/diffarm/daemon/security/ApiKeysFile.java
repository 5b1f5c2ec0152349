package dev.diffarm.daemon.security;

import dev.diffarm.daemon.job.Tenants;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The keys file ({@code DIFFARM_API_KEYS_FILE}): one key a line, {@code <tenant> <role>[,<role>...] <sha256 hex>},
 * with {@code #} comments and blank lines. It is read again on every lookup, so that a key removed from it stops
 * working with the next request: the file is small, and an exact answer is worth a read from the page cache.
 *
 * <p>A malformed line is logged with its line number and ignored, the other keys keep working: refusing the
 * whole file would lock every tenant out, or keep serving the old keys, revoked ones included, because of a
 * typo. A missing or unreadable file knows no key.
 */
public final class ApiKeysFile {
    private static final Logger LOG = Logger.getLogger(ApiKeysFile.class);
    /** A keys file beyond this is refused whole: it is a list of a few hundred lines at most. */
    static final int MAX_BYTES = 1 << 20;
    /** Revoked keys remembered to tell a caller "revoked" rather than "unknown"; older ones are forgotten. */
    static final int MAX_REMEMBERED_REVOCATIONS = 10_000;
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

    private final Path file;
    private byte[] readBytes;
    private List<ApiKey> keys = List.of();
    /** The hashes of keys the file held earlier in this run and holds no more, so that a caller is told "revoked". */
    private final Set<String> revoked = new java.util.LinkedHashSet<>();
    /** Whether the last read failed: said once in the log, not on every request. */
    private boolean failing;

    public ApiKeysFile(Path file) {
        this.file = file;
    }

    public Path path() {
        return file;
    }

    /**
     * The key whose SHA-256 is that of {@code key}. Every known hash is compared, in constant time each, so that
     * the time taken does not tell how close a guess came.
     */
    public Optional<ApiKey> find(String key) {
        byte[] hash = sha256(key);
        ApiKey found = null;
        for (ApiKey known : current()) {
            if (MessageDigest.isEqual(known.sha256(), hash)) {
                found = known;
            }
        }
        return Optional.ofNullable(found);
    }

    /** Whether {@code key} is no key now but was one earlier in this run: its line was removed from the file. */
    public synchronized boolean wasRevoked(String key) {
        current();
        return revoked.contains(HexFormat.of().formatHex(sha256(key)));
    }

    /** Notes the keys {@code before} held that {@code after} lacks; a key added again is no longer revoked. */
    private void rememberRevoked(List<ApiKey> before, List<ApiKey> after) {
        Set<String> now = new java.util.HashSet<>();
        after.forEach(key -> now.add(HexFormat.of().formatHex(key.sha256())));
        revoked.removeAll(now);
        for (ApiKey key : before) {
            String hash = HexFormat.of().formatHex(key.sha256());
            if (!now.contains(hash)) {
                revoked.add(hash);
            }
        }
        // Bounded: a file rewritten again and again with fresh keys must not grow this set for ever.
        java.util.Iterator<String> oldest = revoked.iterator();
        while (revoked.size() > MAX_REMEMBERED_REVOCATIONS && oldest.hasNext()) {
            oldest.next();
            oldest.remove();
        }
    }

    /** How many usable keys the file holds now. */
    /** The tenants the keys act for, in order of their names. */
    public java.util.SortedSet<String> tenants() {
        return current().stream().map(ApiKey::tenant).collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
    }

    public int size() {
        return current().size();
    }

    private synchronized List<ApiKey> current() {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) {
                return refuseAll("it is larger than " + MAX_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return refuseAll("it cannot be read (" + e + ")");
        }
        failing = false;
        if (!Arrays.equals(bytes, readBytes)) {
            readBytes = bytes;
            List<ApiKey> before = keys;
            keys = parse(new String(bytes, StandardCharsets.UTF_8));
            rememberRevoked(before, keys);
            LOG.infof("API keys file %s: %d keys", file, keys.size());
        }
        return keys;
    }

    private List<ApiKey> refuseAll(String why) {
        if (!failing) {
            LOG.errorf("API keys file %s: no key is accepted while %s", file, why);
            failing = true;
        }
        readBytes = null;
        keys = List.of();
        return keys;
    }

    /** The keys of the file's text; each bad line logged (line number, what is wrong, never the hash) and skipped. */
    List<ApiKey> parse(String text) {
        List<ApiKey> parsed = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                parsed.add(parseLine(line));
            } catch (IllegalArgumentException bad) {
                LOG.warnf("API keys file %s, line %d ignored: %s", file, i + 1, bad.getMessage());
            }
        }
        return List.copyOf(parsed);
    }

    static ApiKey parseLine(String line) {
        String[] parts = line.split("\\s+");
        if (parts.length != 3) {
            throw new IllegalArgumentException("expected 3 fields, <tenant> <role>[,<role>...] <sha256 hex of the key>, "
                    + "found " + parts.length);
        }
        if (!Tenants.isValid(parts[0])) {
            throw new IllegalArgumentException("tenant \"" + shortened(parts[0]) + "\": expected " + Tenants.EXPECTED);
        }
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String name : parts[1].split(",", -1)) {
            roles.add(Role.of(name).orElseThrow(() -> new IllegalArgumentException("role \"" + shortened(name)
                    + "\": expected " + Role.known())));
        }
        if (!SHA256_HEX.matcher(parts[2]).matches()) {
            throw new IllegalArgumentException("the key's hash is not 64 hexadecimal digits (a SHA-256)");
        }
        return new ApiKey(parts[0], roles, HexFormat.of().parseHex(parts[2].toLowerCase()));
    }

    /** The SHA-256 of a key's text, as the file holds it. */
    static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static String shortened(String text) {
        return text.length() <= 32 ? text : text.substring(0, 32) + "...";
    }
}
