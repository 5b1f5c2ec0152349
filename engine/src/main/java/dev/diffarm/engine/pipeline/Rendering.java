package dev.diffarm.engine.pipeline;

import dev.diffarm.engine.embedding.Embedding;
import dev.diffarm.engine.image.RgbImage;
import java.util.List;

/**
 * What the txt2img math produced, before the infotext is written.
 *
 * @param latents     the final latents before the VAE, as diffusers' {@code output_type="latent"} gives them
 * @param latentShape their shape [batch, channels, height / f, width / f]
 * @param images      the decoded images, one per batch entry
 * @param embeddings  the textual-inversion embeddings the prompts triggered, the prompt's first (as A1111
 *                    lists them in {@code TI hashes})
 */
record Rendering(float[] latents, long[] latentShape, List<RgbImage> images, List<Embedding> embeddings) {

    /** This rendering with other images: those pasted back into the picture an only-masked inpainting cut. */
    Rendering withImages(List<RgbImage> others) {
        return new Rendering(latents, latentShape, others, embeddings);
    }
}
