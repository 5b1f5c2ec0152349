package dev.diffarm.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import dev.diffarm.api.Denoiser;
import dev.diffarm.engine.unet.UNet2DConditionModel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * An epsilon-predicting UNet with classifier-free guidance, seen as a {@link Denoiser}:
 * {@code eps = eps_u + cfg (eps_c - eps_u)}, {@code denoised = x - sigma eps}. The UNet sees
 * {@code x / sqrt(sigma^2 + 1)}, the variance-preserving latent it was trained on, at the timestep of
 * {@code sigma}; the unconditional and conditional halves run as one batch.
 *
 * <p>The text conditioning is that of the sampling step the run is at ({@link Conditioning}); the sampler
 * only passes {@code sigma}, so the step comes from the caller, who advances it as the sampler reports its
 * steps ({@link StepTracker}). Every evaluation within one step sees the same conditioning.
 */
public final class GuidedDenoiser implements Denoiser {
    private final UNet2DConditionModel unet;
    private final Conditioning conditioning;
    /** The UNet's context for each of the conditioning's segments: [uncond; cond], or cond alone without guidance. */
    private final List<NDArray> contexts = new ArrayList<>();
    private final double cfgScale;
    private final SigmaToTimestep timesteps;
    private final IntSupplier step;

    /**
     * @param unet         the model
     * @param conditioning the prompt and negative prompt embeddings, by step
     * @param cfgScale     guidance scale; 1 disables guidance and skips the unconditional half
     * @param timesteps    the schedule's sigma to timestep map
     * @param step         the sampling step the run is at, from 0
     */
    public GuidedDenoiser(UNet2DConditionModel unet, Conditioning conditioning, double cfgScale,
                          SigmaToTimestep timesteps, IntSupplier step) {
        this.unet = unet;
        this.conditioning = conditioning;
        this.cfgScale = cfgScale;
        List<Conditioning.Segment> segments = conditioning.segments();
        for (int i = 0; i < segments.size(); i++) {
            contexts.add(context(segments, i));
        }
        this.timesteps = timesteps;
        this.step = step;
    }

    /**
     * A denoiser with one conditioning for every step.
     *
     * @param uncond negative-prompt embeddings [batch, tokens, D]
     * @param cond   prompt embeddings [batch, tokens, D], as many tokens as {@code uncond}
     */
    public GuidedDenoiser(UNet2DConditionModel unet, NDArray uncond, NDArray cond, double cfgScale,
                          SigmaToTimestep timesteps) {
        this(unet, Conditioning.fixed(uncond, cond), cfgScale, timesteps, () -> 0);
    }

    /** The context of segment {@code i}: an earlier one's where the pair is the same (alternation repeats pairs). */
    private NDArray context(List<Conditioning.Segment> segments, int i) {
        Conditioning.Segment segment = segments.get(i);
        for (int j = 0; j < i; j++) {
            if (segments.get(j).uncond() == segment.uncond() && segments.get(j).cond() == segment.cond()) {
                return contexts.get(j);
            }
        }
        return guided(cfgScale) ? NDArrays.concat(new NDList(segment.uncond(), segment.cond()), 0) : segment.cond();
    }

    private static boolean guided(double cfgScale) {
        return cfgScale != 1.0;
    }

    @Override
    public NDArray denoise(NDArray x, double sigma) {
        NDArray context = contexts.get(conditioning.segmentAt(step.getAsInt()));
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
