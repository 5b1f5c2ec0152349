package dev.diffarm.daemon.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.local.LocalOutputStore;
import dev.diffarm.daemon.port.OutputStore;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TenantOutputsTest {
    @TempDir
    Path dir;

    @Test
    void eachTenantWritesUnderItsOwnPrefixAndSeesOnlyItsOwnKeys() {
        OutputStore store = new LocalOutputStore(dir);
        OutputStore acme = TenantOutputs.scoped(store, TenantOutputs.prefix("acme"));
        OutputStore globex = TenantOutputs.scoped(store, TenantOutputs.prefix("globex"));
        acme.put("jobs/same-id/t0000.png", new byte[] {1}, "image/png");
        globex.put("jobs/same-id/t0000.png", new byte[] {2}, "image/png");

        assertEquals(List.of("tenants/acme/jobs/same-id/t0000.png", "tenants/globex/jobs/same-id/t0000.png"),
                store.list(""));
        assertEquals(List.of("jobs/same-id/t0000.png"), acme.list("jobs/"));
        assertArrayEquals(new byte[] {1}, acme.get("jobs/same-id/t0000.png").orElseThrow(), "not overwritten by globex");
        assertArrayEquals(new byte[] {2}, globex.get("jobs/same-id/t0000.png").orElseThrow());
        assertTrue(acme.exists("jobs/same-id/t0000.png"));
        assertFalse(acme.exists("jobs/other/t0000.png"));
        assertTrue(acme.location().endsWith("/tenants/acme"), acme.location());
    }

    @Test
    void theLocalTenantKeepsTheRootAndBadNamesAreRefused() {
        assertEquals("", TenantOutputs.prefix("local"));
        assertEquals("tenants/acme/", TenantOutputs.prefix("acme"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TenantOutputs.prefix("../x"));
        assertEquals("tenant \"../x\": expected " + Tenants.EXPECTED, e.getMessage());
    }
}
