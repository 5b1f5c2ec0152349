package dev.diffarm.daemon.rest;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** The daemon with small REST limits that a test can reach: two event streams, idle for 2 s, 5 quick submissions. */
public class LimitsProfile implements QuarkusTestProfile {
    static final int STREAMS = 2;
    static final int BURST = 5;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("diffarm.sse.streams-per-tenant", "" + STREAMS,
                "diffarm.sse.idle-timeout", "PT2S",
                "diffarm.rate.submissions-per-second", "0.2",
                "diffarm.rate.submission-burst", "" + BURST);
    }
}
