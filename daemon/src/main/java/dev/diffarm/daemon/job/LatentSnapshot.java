package dev.diffarm.daemon.job;

/**
 * A copy of the latent a sampler produced at a step, taken only when a preview was asked for (see
 * {@link TrackedJob#requestPreview()}): the host copy costs a device sync, so no step pays it unasked.
 *
 * @param values the first image's latent, channel-major
 * @param shape  its shape {@code [channels, height, width]}
 * @param step   the step it was taken after (1-based)
 */
public record LatentSnapshot(float[] values, long[] shape, int step) {
    public LatentSnapshot {
        if (shape.length != 3 || values.length != shape[0] * shape[1] * shape[2]) {
            throw new IllegalArgumentException("a latent of " + values.length + " values with shape "
                    + java.util.Arrays.toString(shape) + ": expected [channels, height, width] holding them all");
        }
    }
}
