package dev.diffarm.daemon.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysFileTest {
    @TempDir
    Path dir;

    @Test
    void findsAKeyByItsHashSkippingBadLines() throws Exception {
        Path file = Files.writeString(dir.resolve("keys"), """
                # comment
                acme submit,read %s

                bad-line-without-fields
                acme nope %s
                globex admin %s
                """.formatted(hex("k1"), hex("k2"), hex("k3")));
        ApiKeysFile keys = new ApiKeysFile(file);
        assertEquals(2, keys.size());
        ApiKey acme = keys.find("k1").orElseThrow();
        assertEquals("acme", acme.tenant());
        assertEquals(EnumSet.of(Role.SUBMIT, Role.READ), acme.roles());
        assertEquals(Set.of(Role.ADMIN), keys.find("k3").orElseThrow().roles());
        assertTrue(keys.find("k2").isEmpty(), "the line with an unknown role is ignored");
        assertTrue(keys.find(hex("k1")).isEmpty(), "the hash itself is no key");

        Files.writeString(file, "globex admin " + hex("k3") + "\n");
        assertTrue(keys.find("k1").isEmpty(), "revoked");
        Files.delete(file);
        assertTrue(keys.find("k3").isEmpty(), "a missing file knows no key");
    }

    @Test
    void saysWhatIsWrongWithALine() {
        assertEquals("expected 3 fields, <tenant> <role>[,<role>...] <sha256 hex of the key>, found 1",
                assertThrows(IllegalArgumentException.class, () -> ApiKeysFile.parseLine("x")).getMessage());
        assertEquals("role \"owner\": expected submit, read, admin", assertThrows(IllegalArgumentException.class,
                () -> ApiKeysFile.parseLine("a read,owner " + hex("k"))).getMessage());
        assertEquals("tenant \"a/b\": expected 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
                assertThrows(IllegalArgumentException.class, () -> ApiKeysFile.parseLine("a/b read " + hex("k"))).getMessage());
        assertEquals("the key's hash is not 64 hexadecimal digits (a SHA-256)",
                assertThrows(IllegalArgumentException.class, () -> ApiKeysFile.parseLine("a read abc")).getMessage());
    }

    private static String hex(String key) {
        return HexFormat.of().formatHex(ApiKeysFile.sha256(key));
    }
}
