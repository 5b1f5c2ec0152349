package dev.diffarm.daemon.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentitiesTest {
    @TempDir
    Path dir;

    @Test
    void refusesToListenBeyondThisMachineWithoutKeys() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Identities.checkedKeys("0.0.0.0", Optional.empty()));
        assertEquals("the daemon would listen on 0.0.0.0, beyond this machine, without API keys: set "
                + "DIFFARM_API_KEYS_FILE to a file of lines <tenant> <role>[,<role>...] <sha256 hex of the key>, "
                + "or DIFFARM_HTTP_HOST to 127.0.0.1 (the default)", e.getMessage());
        assertThrows(IllegalStateException.class, () -> Identities.checkedKeys("192.0.2.1", Optional.empty()));
        for (String local : new String[] {"127.0.0.1", "localhost", "::1", "127.0.0.2"}) {
            assertEquals(Optional.empty(), Identities.checkedKeys(local, Optional.empty()), local);
        }
    }

    @Test
    void listensAnywhereWithAKeysFileThatExists() throws Exception {
        Path keys = Files.writeString(dir.resolve("keys"), "");
        assertTrue(Identities.checkedKeys("0.0.0.0", Optional.of(keys)).isPresent());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Identities.checkedKeys("127.0.0.1", Optional.of(dir.resolve("missing"))));
        assertTrue(e.getMessage().startsWith("DIFFARM_API_KEYS_FILE (diffarm.api-keys-file) = " + dir.resolve("missing")
                + ": no such file"), e.getMessage());
    }

    @Test
    void theLocalIdentityIsTenantLocalWithEveryRole() {
        var local = Identities.local();
        assertEquals("local", Callers.tenant(local));
        assertTrue(local.hasRole("submit") && local.hasRole("read") && local.hasRole("admin"));
        assertFalse(local.isAnonymous());
    }

    @Test
    void refusesToStartOnAnUntrustedKafkaTopicWhenCallersActForOtherTenants() throws Exception {
        Path keys = Files.writeString(dir.resolve("keys"), "local submit,read " + ApiKeysProfileHashes.of("a") + "\n"
                + "globex submit " + ApiKeysProfileHashes.of("b") + "\n"
                + "acme read " + ApiKeysProfileHashes.of("c") + "\n");
        assertEquals(new java.util.TreeSet<>(java.util.List.of("acme", "globex", "local")), new ApiKeysFile(keys).tenants());

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Identities.refuseTenantsAnUntrustedTopicLoses(new ApiKeysFile(keys).tenants(), false));
        assertEquals("the daemon takes its jobs from Kafka with DIFFARM_KAFKA_TRUST_TENANT_HEADER false, so every job it"
                + " runs from the topic is tenant local's and a job record naming another tenant goes to the dead letters;"
                + " but API keys of tenants acme, globex would submit jobs of other tenants. Set"
                + " DIFFARM_KAFKA_TRUST_TENANT_HEADER=true where only trusted producers may write the jobs topic, or give"
                + " every key tenant local and no JWT key", e.getMessage());
        IllegalStateException byJwt = assertThrows(IllegalStateException.class,
                () -> Identities.refuseTenantsAnUntrustedTopicLoses(new java.util.TreeSet<>(), true));
        assertTrue(byJwt.getMessage().contains("but bearer JWTs (DIFFARM_JWT_PUBLIC_KEY), which may name any tenant, would"),
                byJwt.getMessage());

        Identities.refuseTenantsAnUntrustedTopicLoses(new java.util.TreeSet<>(java.util.List.of("local")), false);
        Identities.refuseTenantsAnUntrustedTopicLoses(new java.util.TreeSet<>(), false);
    }

    /** SHA-256 hex of a key, as the keys file holds it. */
    private static final class ApiKeysProfileHashes {
        static String of(String key) throws Exception {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
    }
}
