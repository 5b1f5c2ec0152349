package dev.diffarm.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.vae.LatentDistribution;
import java.util.List;

/**
 * The training set as the UNet sees it, computed once (kohya's {@code --cache_latents}): the VAE latents
 * {@code (mean + std · ε) · scaling} with ε the run's first draw, {@code randn([n, 4, h, w])}, and the frozen text
 * encoder's last hidden states of the captions (no attention mask, as diffusers' scripts).
 *
 * @param latents [n, 4, h, w]
 * @param text    [n, 77, D]
 */
public record EncodedExamples(NDArray latents, NDArray text) {

    /** Encodes {@code examples} with {@code model}; the arrays belong to {@code manager}. */
    public static EncodedExamples encode(StableDiffusion model, List<CaptionedImages.Example> examples,
                                         Draws draws, NDManager manager) {
        try (NDScope scope = new NDScope()) {
            NDList images = new NDList();
            for (CaptionedImages.Example example : examples) {
                // diffusers' Normalize([0.5], [0.5]) after ToTensor, in float32
                images.add(example.image().toNDArray(manager).sub(0.5f).div(0.5f));
            }
            NDArray pixels = NDArrays.stack(images);
            LatentDistribution posterior = model.vae().encode(pixels);
            NDArray eps = draws.randn(manager, posterior.mean().getShape());
            float scaling = (float) model.vae().config().scalingFactor();
            NDArray latents = posterior.mean().add(posterior.std().mul(eps)).mul(scaling);
            NDArray text = CaptionEncoder.frozen(model).encode(
                    examples.stream().map(CaptionedImages.Example::caption).toList(), manager);
            NDScope.unregister(latents, text);
            return new EncodedExamples(latents, text);
        }
    }

    public int size() {
        return (int) latents.getShape().get(0);
    }

    /** Latents and text of the examples at {@code indices}, in that order. */
    NDArray latentsOf(int[] indices) {
        return rows(latents, indices);
    }

    NDArray textOf(int[] indices) {
        return rows(text, indices);
    }

    private static NDArray rows(NDArray array, int[] indices) {
        NDList picked = new NDList(indices.length);
        for (int i : indices) {
            picked.add(array.get(i));
        }
        return NDArrays.stack(picked);
    }
}
