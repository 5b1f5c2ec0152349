package dev.diffarm.daemon.a1111;

import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The A1111 options a caller set through {@code POST /sdapi/v1/options}: its model and clip skip, the defaults of its
 * later requests. A1111 keeps one set for its single user; on a shared farm each tenant has its own, so one brand's
 * plugin switching models does not switch another's. Kept in memory: a restart forgets them, as A1111's
 * {@code override_settings} do.
 */
@Singleton
public class A1111Options {
    /** A tenant's options; empty where it set none. */
    record Settings(Optional<String> model, OptionalInt clipSkip) {
        static final Settings NONE = new Settings(Optional.empty(), OptionalInt.empty());
    }

    private final Map<String, Settings> byTenant = new ConcurrentHashMap<>();

    Settings of(String tenant) {
        return byTenant.getOrDefault(tenant, Settings.NONE);
    }

    /** Sets what {@code changes} sets, keeping the rest. */
    void update(String tenant, Optional<String> model, OptionalInt clipSkip) {
        byTenant.merge(tenant, new Settings(model, clipSkip), (old, changes) -> new Settings(
                changes.model().or(old::model), changes.clipSkip().isPresent() ? changes.clipSkip() : old.clipSkip()));
    }
}
