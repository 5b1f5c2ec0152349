package dev.diffarm.engine.pipeline;

import dev.diffarm.engine.image.RgbImage;
import java.util.List;

/**
 * What a {@link Generator} made of one request.
 *
 * @param images      one per batch entry, each with its AUTOMATIC1111 infotext
 * @param latents     the final latents before the VAE, as diffusers' {@code output_type="latent"} gives them
 * @param latentShape their shape [batch, channels, height / f, width / f]
 * @param warnings    what the caller should pass on to the user: LoRA keys that matched no layer of the model
 */
public record Generation(List<Image> images, float[] latents, long[] latentShape, List<String> warnings) {
    public Generation {
        images = List.copyOf(images);
        warnings = List.copyOf(warnings);
    }

    /**
     * One generated image.
     *
     * @param pixels   its pixels, in [0, 1]
     * @param infotext its PNG's {@code parameters} text, as AUTOMATIC1111 writes it
     */
    public record Image(RgbImage pixels, String infotext) {
    }
}
