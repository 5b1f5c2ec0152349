package dev.diffarm.api.upscale;

import ai.djl.ndarray.NDArray;

/**
 * A super-resolution network loaded from an upscaler model file ({@link UpscalerArchitecture#load}): it enlarges a
 * picture by its native {@link #scale}. The host cuts large pictures into tiles ({@link TiledPass}), so
 * {@link #forward} sees one tile at a time.
 *
 * <p>Not thread-safe unless the implementation says so; closing it releases what it allocated, not the
 * {@link UpscalerWeights}, which the host owns.
 */
public interface UpscaleNetwork extends AutoCloseable {
    /** The factor the network enlarges by: output width = input width * scale. */
    int scale();

    /**
     * The network's raw output for an RGB batch of one.
     *
     * @param rgb float32 [1, 3, H, W], values in [0, 1]; the result is allocated on its manager, so the caller
     *            frees the tile's intermediates by closing that manager
     * @return float32 [1, 3, H * scale, W * scale], not clamped (networks overshoot [0, 1] a little)
     */
    NDArray forward(NDArray rgb);

    @Override
    default void close() {
    }
}
