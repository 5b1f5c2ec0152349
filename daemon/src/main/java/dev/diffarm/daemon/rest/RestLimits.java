package dev.diffarm.daemon.rest;

import dev.diffarm.daemon.security.SubmissionRate;
import dev.diffarm.daemon.service.DaemonConfig;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The limits on REST callers beyond authentication: submission rates and event streams, from the configuration. */
@Singleton
public class RestLimits {
    @Produces
    @Singleton
    SubmissionRate submissionRate(DaemonConfig config) {
        return new SubmissionRate(config.rate().submissionsPerSecond(), config.rate().submissionBurst(), System::nanoTime);
    }

    @Produces
    @Singleton
    EventStreams eventStreams(DaemonConfig config) {
        return new EventStreams(config.sse().streamsPerTenant(), config.sse().idleTimeout(), System::nanoTime);
    }

    void closeEventStreams(@Disposes EventStreams streams) {
        streams.close();
    }
}
