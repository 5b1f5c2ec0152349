package dev.diffarm.daemon.rest;

import java.util.HashMap;
import java.util.Map;

/** {@link ApiKeysProfile}'s tenants on a Kafka farm that trusts its jobs topic to name tenants. */
public class KafkaTenantsProfile extends ApiKeysProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
        overrides.put("diffarm.kafka.trust-tenant-header", "true");
        return overrides;
    }
}
