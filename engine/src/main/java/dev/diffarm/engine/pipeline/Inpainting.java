package dev.diffarm.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.api.Progress;
import dev.diffarm.engine.schedule.Schedule;

/**
 * The mask side of diffusers' {@code StableDiffusionInpaintPipeline}: the masked image ({@code image * (mask < 0.5)}),
 * the mask at latent size (nearest), and what the UNet does with them. A UNet with as many input channels as the
 * latent (a normal one) has the kept area put back after every step ({@link Blend}); one with
 * {@code 2 * latent + 1} (an inpainting UNet, recognised by its {@code conv_in}) takes the mask and the masked
 * image's latents as extra input channels.
 */
final class Inpainting {
    private final boolean blendsLatents;
    /** The binary mask at image size, [1, 1, H, W]. */
    private final NDArray pixelMask;
    /** The mask at latent size, [batch, 1, h, w]. */
    private final NDArray latentMask;

    /**
     * @param mask the binary mask at {@code width} x {@code height}, 1 = repaint
     * @throws IllegalArgumentException for a UNet that is neither a normal nor an inpainting one
     */
    Inpainting(StableDiffusion model, NDManager job, float[] mask, int width, int height, int batch) {
        int latentChannels = model.vae().config().latentChannels();
        int unetChannels = model.unet().config().inChannels();
        if (unetChannels != latentChannels && unetChannels != 2 * latentChannels + 1) {
            throw new IllegalArgumentException("UNet in_channels = " + unetChannels + ": expected " + latentChannels
                    + " (inpainting by blending) or " + (2 * latentChannels + 1) + " (an inpainting UNet)");
        }
        this.blendsLatents = unetChannels == latentChannels;
        int factor = model.scaleFactor();
        this.pixelMask = job.create(mask, new Shape(1, 1, height, width));
        float[] small = LatentUpscaler.NEAREST.resize(mask, new long[] {1, 1, height, width}, height / factor,
                width / factor);
        this.latentMask = Renderer.repeat(job.create(small, new Shape(1, 1, height / factor, width / factor)), batch);
    }

    /** The mask at latent size, [batch, 1, h, w], 1 = repaint. */
    NDArray latentMask() {
        return latentMask;
    }

    /** True for a normal UNet: the kept area is put back after every step. */
    boolean blendsLatents() {
        return blendsLatents;
    }

    /** {@code image} [1, 3, H, W] in [-1, 1] with the repainted area set to 0. */
    NDArray maskedImage(NDArray image) {
        return image.mul(pixelMask.lt(0.5f).toType(image.getDataType(), false));
    }

    /** The inpainting UNet's extra input channels: the latent mask, then {@code maskedLatents}. */
    NDArray unetChannels(NDArray maskedLatents) {
        return NDArrays.concat(new NDList(latentMask, maskedLatents), 1);
    }

    /**
     * The put-back for a normal UNet over the steps of {@code run}, re-noising {@code imageLatents} with
     * {@code noise}, the noise the run started from.
     */
    Blend blend(NDArray imageLatents, NDArray noise, Schedule run) {
        return new Blend(imageLatents, noise, run);
    }

    /**
     * diffusers' put-back after step {@code i}: {@code x = (1 - m) * kept + m * x}, where {@code kept} is the image's
     * latents noised to the level the step ended at ({@code add_noise(image_latents, noise, timesteps[i + 1])},
     * in sigma form {@code image + sigma * noise}), and after the last step the clean latents themselves (in sigma
     * form times {@code latentForm.toSigmaForm} of the last level, which the caller divides out again).
     *
     * <p>It acts on the latent a sampler reports after each step, in place: that array is the one the sampler carries
     * into its next step, as diffusers' pipeline overwrites {@code latents} between its scheduler's steps.
     */
    final class Blend {
        private final NDArray imageLatents;
        private final NDArray noise;
        private final Schedule run;
        private final NDArray keep;

        private Blend(NDArray imageLatents, NDArray noise, Schedule run) {
            this.imageLatents = imageLatents;
            this.noise = noise;
            this.run = run;
            this.keep = latentMask.neg().add(1f);
        }

        /** {@code progress}, with the put-back done before each of its step reports. */
        Progress around(Progress progress) {
            return new Progress() {
                @Override
                public void onStep(int step, int total, NDArray x) {
                    put(step, x);
                    progress.onStep(step, total, x);
                }

                @Override
                public boolean isCancelled() {
                    return progress.isCancelled();
                }

                @Override
                public void checkCancelled(int step) {
                    progress.checkCancelled(step);
                }
            };
        }

        private void put(int step, NDArray x) {
            double sigma = run.sigmas().get(step + 1);
            NDArray kept = step + 1 < run.steps() ? imageLatents.add(noise.mul((float) sigma))
                    : imageLatents.mul((float) run.latentForm().toSigmaForm(sigma));
            x.muli(latentMask).addi(kept.mul(keep));
            kept.close();
        }
    }
}
