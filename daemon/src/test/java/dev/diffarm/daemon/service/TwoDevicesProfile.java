package dev.diffarm.daemon.service;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** The daemon with two workers on the CPU, standing in for a node with two GPUs ({@code DIFFARM_DEVICES=cpu,cpu}). */
public class TwoDevicesProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("diffarm.devices", "cpu,cpu");
    }
}
