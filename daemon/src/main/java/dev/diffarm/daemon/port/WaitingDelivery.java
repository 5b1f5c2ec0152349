package dev.diffarm.daemon.port;

import java.util.Optional;

/**
 * A submission still waiting in its source, as {@link JobSource#takeWaiting} shows it to the test of whether to take
 * it: readable, but not the caller's to settle (settling it throws).
 */
public record WaitingDelivery(Delivery waiting) implements Delivery {
    @Override
    public byte[] payload() {
        return waiting.payload();
    }

    @Override
    public long size() {
        return waiting.size();
    }

    @Override
    public String origin() {
        return waiting.origin();
    }

    @Override
    public Optional<String> tenant() {
        return waiting.tenant();
    }

    @Override
    public boolean isJobPart() {
        return waiting.isJobPart();
    }

    @Override
    public void acknowledge() {
        throw notTaken();
    }

    @Override
    public void deadLetter(String reason) {
        throw notTaken();
    }

    private IllegalStateException notTaken() {
        return new IllegalStateException(origin() + " is still waiting in its source: only a worker that took it may "
                + "settle it");
    }
}
