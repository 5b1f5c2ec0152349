package dev.diffarm.engine.upscale;

import ai.djl.ndarray.NDManager;
import dev.diffarm.api.Progress;
import dev.diffarm.api.image.Picture;
import dev.diffarm.api.upscale.PixelPath;
import dev.diffarm.api.upscale.ScaleRule;
import dev.diffarm.api.upscale.TiledPass;
import dev.diffarm.api.upscale.Tiling;
import dev.diffarm.api.upscale.UpscaleNetwork;
import dev.diffarm.api.upscale.UpscaleStep;

/**
 * A network loaded from a model file, run tile by tile ({@link TiledPass}) under A1111's scale rule. It owns the
 * manager that holds the file's weights and closes it with the network.
 */
final class NetworkUpscaler implements ImageUpscaler {
    private final String label;
    private final NDManager manager;
    private final UpscaleNetwork network;
    private final TiledPass pass;

    NetworkUpscaler(String label, NDManager manager, UpscaleNetwork network, Tiling tiling, PixelPath path) {
        this.label = label;
        this.manager = manager;
        this.network = network;
        this.pass = new TiledPass(network, tiling, path);
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public Picture upscale(Picture picture, double scale, Progress progress) {
        return ScaleRule.upscale(picture, scale, pass(progress));
    }

    @Override
    public Picture resize(Picture picture, int width, int height, Progress progress) {
        return ScaleRule.resize(picture, width, height, pass(progress));
    }

    /** One pass of the network at its own scale, clamped to [0, 1]. */
    Picture pass(Picture picture, Progress progress) {
        return pass.run(picture, manager, progress);
    }

    private UpscaleStep pass(Progress progress) {
        return (picture, scale) -> pass(picture, progress);
    }

    @Override
    public void close() {
        try {
            network.close();
        } finally {
            manager.close();
        }
    }

    @Override
    public String toString() {
        return label + " (" + network + ", x" + network.scale() + ")";
    }
}
