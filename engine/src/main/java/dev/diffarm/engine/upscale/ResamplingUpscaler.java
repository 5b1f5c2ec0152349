package dev.diffarm.engine.upscale;

import dev.diffarm.api.Progress;
import dev.diffarm.api.image.Picture;
import dev.diffarm.api.upscale.ScaleRule;
import dev.diffarm.api.upscale.UpscaleStep;
import dev.diffarm.api.upscale.Upscaler;

/** A resampling plugin ({@code Lanczos}, {@code Nearest}) under A1111's scale rule; it holds nothing to free. */
record ResamplingUpscaler(Upscaler upscaler) implements ImageUpscaler {
    @Override
    public String label() {
        return upscaler.name();
    }

    @Override
    public Picture upscale(Picture picture, double scale, Progress progress) {
        progress.checkCancelled(0);
        return ScaleRule.upscale(picture, scale, UpscaleStep.resampling(upscaler));
    }

    @Override
    public Picture resize(Picture picture, int width, int height, Progress progress) {
        progress.checkCancelled(0);
        return ScaleRule.resize(picture, width, height, UpscaleStep.resampling(upscaler));
    }

    @Override
    public void close() {
    }
}
