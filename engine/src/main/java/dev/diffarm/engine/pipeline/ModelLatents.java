package dev.diffarm.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.engine.image.RgbImage;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's latent space as the renderers see it: the latent shape of an image size, and the VAE's images of
 * latents. One place, so that a batched render decodes exactly as a render alone does.
 */
final class ModelLatents {
    private ModelLatents() {
    }

    /** [batch, latent channels, height / f, width / f] for an image of {@code width} x {@code height}. */
    static Shape shape(StableDiffusion model, int batch, int width, int height) {
        int factor = model.scaleFactor();
        return new Shape(batch, model.vae().config().latentChannels(), height / factor, width / factor);
    }

    /** The VAE's images of {@code latents} (diffusers' form, scaling factor included), in [0, 1]. */
    static List<RgbImage> decode(StableDiffusion model, NDArray latents) {
        NDArray images = model.vae().decode(latents.div((float) model.vae().config().scalingFactor()))
                .mul(0.5f).add(0.5f).clip(0f, 1f);
        List<RgbImage> out = new ArrayList<>();
        for (int i = 0; i < images.getShape().get(0); i++) {
            out.add(RgbImage.of(images.get(i)));
        }
        return out;
    }
}
