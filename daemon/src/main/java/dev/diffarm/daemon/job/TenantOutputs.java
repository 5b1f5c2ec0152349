package dev.diffarm.daemon.job;

import dev.diffarm.daemon.port.ObjectMetadata;
import dev.diffarm.daemon.port.OutputStore;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * One tenant's part of the store: every key under {@code tenants/<tenant>/}, so a job of tenant {@code acme} stores
 * {@code tenants/acme/jobs/<id>/...} and no job of another tenant can reach, overwrite or resume from its objects, even
 * under the same job id. The handlers and the gallery keep writing {@code jobs/<id>/...}: they see the tenant's part as
 * the whole store. The tenant of the keyless local mode, {@value Tenants#DEFAULT}, keeps the store's root, so that the
 * demo, a laptop and the stores of earlier versions stay as they are.
 */
final class TenantOutputs implements OutputStore {
    private final OutputStore store;
    private final String prefix;

    private TenantOutputs(OutputStore store, String prefix) {
        this.store = store;
        this.prefix = prefix;
    }

    /** The part of {@code store} under {@code prefix}, a {@link #prefix} of a tenant other than the local one. */
    static OutputStore scoped(OutputStore store, String prefix) {
        return new TenantOutputs(store, prefix);
    }

    /** The part of {@code store} that {@code tenant}'s jobs see: all of it for the local tenant. */
    static OutputStore of(OutputStore store, String tenant) {
        String prefix = prefix(tenant);
        return prefix.isEmpty() ? store : scoped(store, prefix);
    }

    /** {@code tenants/<tenant>/}, or nothing for the local tenant. */
    static String prefix(String tenant) {
        if (!Tenants.isValid(tenant)) {
            throw new IllegalArgumentException("tenant \"" + tenant + "\": expected " + Tenants.EXPECTED);
        }
        return tenant.equals(Tenants.DEFAULT) ? "" : "tenants/" + tenant + "/";
    }

    @Override
    public boolean exists(String key) {
        return store.exists(prefix + key);
    }

    @Override
    public Optional<InputStream> open(String key) {
        return store.open(prefix + key);
    }

    @Override
    public void put(String key, InputStream content, long length, ObjectMetadata metadata) {
        store.put(prefix + key, content, length, metadata);
    }

    /** The keys of this part, as its users wrote them (without the tenant's prefix). */
    @Override
    public List<String> list(String keyPrefix) {
        return store.list(prefix + keyPrefix).stream().map(key -> key.substring(prefix.length())).toList();
    }

    @Override
    public void check() {
        store.check();
    }

    @Override
    public String location() {
        return store.location() + "/" + prefix.substring(0, prefix.length() - 1);
    }

    /** The store is shared: closed by its owner, not by one tenant's view of it. */
    @Override
    public void close() {
    }
}
