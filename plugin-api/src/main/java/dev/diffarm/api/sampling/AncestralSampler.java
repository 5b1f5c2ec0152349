package dev.diffarm.api.sampling;

import dev.diffarm.api.Sampler;
import java.util.OptionalDouble;

/**
 * A sampler with an eta: the share of fresh noise an {@link AncestralStep} adds at each step, fixed per instance
 * and checked to lie in [0, 1]. Subclasses read it with {@link #noiseShare()} and say how to make a copy with
 * another eta.
 */
public abstract class AncestralSampler implements Sampler {
    private final double eta;

    /** @throws IllegalArgumentException for an eta outside [0, 1] */
    protected AncestralSampler(double eta) {
        this.eta = AncestralStep.checkEta(eta);
    }

    /** The share of the ancestral noise this instance adds per step. */
    protected final double noiseShare() {
        return eta;
    }

    @Override
    public final OptionalDouble eta() {
        return OptionalDouble.of(eta);
    }

    @Override
    public final Sampler withEta(double eta) {
        return withNoiseShare(eta);
    }

    /** This sampler with another eta (already known to be a number; the constructor checks its range). */
    protected abstract Sampler withNoiseShare(double eta);
}
