package dev.diffarm.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import dev.diffarm.api.Denoiser;
import dev.diffarm.engine.unet.UNet2DConditionModel;

/**
 * An epsilon-predicting UNet with classifier-free guidance, seen as a {@link Denoiser}:
 * {@code eps = eps_u + cfg (eps_c - eps_u)}, {@code denoised = x - sigma eps}. The UNet sees
 * {@code x / sqrt(sigma^2 + 1)}, the variance-preserving latent it was trained on, at the timestep of
 * {@code sigma}; the unconditional and conditional halves run as one batch.
 */
public final class GuidedDenoiser implements Denoiser {
    private final UNet2DConditionModel unet;
    private final NDArray context;
    private final double cfgScale;
    private final SigmaToTimestep timesteps;

    /**
     * @param unet      the model
     * @param uncond    negative-prompt embeddings [batch, tokens, D]
     * @param cond      prompt embeddings [batch, tokens, D], as many tokens as {@code uncond}
     * @param cfgScale  guidance scale; 1 disables guidance and skips the unconditional half
     * @param timesteps the schedule's sigma to timestep map
     */
    public GuidedDenoiser(UNet2DConditionModel unet, NDArray uncond, NDArray cond, double cfgScale,
                          SigmaToTimestep timesteps) {
        if (!uncond.getShape().equals(cond.getShape())) {
            throw new IllegalArgumentException("prompt and negative prompt embeddings differ in shape: "
                    + cond.getShape() + " vs " + uncond.getShape());
        }
        this.unet = unet;
        this.context = guided(cfgScale) ? NDArrays.concat(new NDList(uncond, cond), 0) : cond;
        this.cfgScale = cfgScale;
        this.timesteps = timesteps;
    }

    private static boolean guided(double cfgScale) {
        return cfgScale != 1.0;
    }

    @Override
    public NDArray denoise(NDArray x, double sigma) {
        NDArray input = x.div((float) Math.sqrt(sigma * sigma + 1));
        float t = timesteps.timestepOf(sigma);
        NDArray eps;
        if (guided(cfgScale)) {
            NDArray both = unet.forward(NDArrays.concat(new NDList(input, input), 0), t, context);
            NDList halves = both.split(2, 0);
            NDArray uncondEps = halves.get(0);
            eps = uncondEps.add(halves.get(1).sub(uncondEps).mul((float) cfgScale));
        } else {
            eps = unet.forward(input, t, context);
        }
        return x.sub(eps.mul((float) sigma));
    }
}
