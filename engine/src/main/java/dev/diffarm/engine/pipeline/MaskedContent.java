package dev.diffarm.engine.pipeline;

import ai.djl.ndarray.NDArray;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.random.TorchGenerator;

/**
 * AUTOMATIC1111's "Masked content": what the repainted area starts from before it is noised.
 */
public enum MaskedContent {
    /**
     * The area painted over with the colours around it, before the picture is encoded (A1111's
     * {@code masking.fill}: the kept pixels, blurred at radii 256, 64, 16, 4 and 2 with their coverage, laid over
     * each other, the sharp picture last). Gaussian blurs here where Pillow uses box approximations of them, so
     * the fill is A1111's in kind, not to the pixel.
     */
    FILL("fill") {
        @Override
        RgbImage picture(RgbImage picture, float[] mask) {
            return MaskFill.fill(picture, mask);
        }
    },
    /** The picture as it is: diffusers' semantics. */
    ORIGINAL("original"),
    /** The area's latents replaced by noise from a generator seeded with the request's seed, as A1111 does. */
    LATENT_NOISE("latent noise") {
        @Override
        NDArray latents(NDArray imageLatents, NDArray latentMask, long seed) {
            NDArray noise = new TorchGenerator(seed).next(imageLatents.getManager(), imageLatents.getShape());
            return imageLatents.mul(latentMask.neg().add(1f)).add(noise.mul(latentMask));
        }
    },
    /** The area's latents set to zero. */
    LATENT_NOTHING("latent nothing") {
        @Override
        NDArray latents(NDArray imageLatents, NDArray latentMask, long seed) {
            return imageLatents.mul(latentMask.neg().add(1f));
        }
    };

    private final String label;

    MaskedContent(String label) {
        this.label = label;
    }

    /** The name A1111 shows, in lower case: {@code fill}, {@code original}, {@code latent noise}, {@code latent nothing}. */
    public String label() {
        return label;
    }

    /** The content named {@code name}, case ignored. */
    public static MaskedContent named(String name) {
        return Labels.find(values(), MaskedContent::label, MaskedContent::label, name, "masked content");
    }

    /** The picture to encode, given the binary {@code mask} (1 = repaint). */
    RgbImage picture(RgbImage picture, float[] mask) {
        return picture;
    }

    /** The init latents, given the mask at latent size. */
    NDArray latents(NDArray imageLatents, NDArray latentMask, long seed) {
        return imageLatents;
    }
}
