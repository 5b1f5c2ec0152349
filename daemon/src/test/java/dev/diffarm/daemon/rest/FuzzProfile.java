package dev.diffarm.daemon.rest;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** The daemon without a practical submission rate: the fuzz test must reach the parser with every request. */
public class FuzzProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("diffarm.rate.submissions-per-second", "1000000",
                "diffarm.rate.submission-burst", "1000000");
    }
}
