package dev.diffarm.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import dev.diffarm.api.Denoiser;
import dev.diffarm.api.Progress;
import dev.diffarm.engine.unet.ControlResiduals;
import dev.diffarm.engine.unet.UNet2DConditionModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
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
 *
 * <p>An inpainting UNet (9 input channels) also sees the mask and the masked image's latents: they are appended
 * to the scaled latent as they are ({@link #withExtraChannels}), as diffusers' inpainting pipeline does.
 *
 * <p>ControlNet units ({@link #withControl}) add their residuals to every UNet call of the steps they control;
 * they run on both guidance halves with the UNet's own context.
 *
 * <p>Before each UNet call the run's {@link Progress} is asked whether it was cancelled, so that a cancel waits
 * for one UNet call at most, not for a whole step of a sampler that calls the model several times.
 */
public final class GuidedDenoiser implements Denoiser {
    private final UNet2DConditionModel unet;
    private final Conditioning conditioning;
    /** The UNet's context for each of the conditioning's segments: [uncond; cond], or cond alone without guidance. */
    private final List<NDArray> contexts = new ArrayList<>();
    private final double cfgScale;
    private final SigmaToTimestep timesteps;
    private final IntSupplier step;
    private final Progress cancellation;
    /** Channels appended to the UNet's input, [batch, c, h, w]; empty for a UNet that takes the latent alone. */
    private final Optional<NDArray> extraChannels;
    /** Each row's own guidance scale, [batch, 1, 1, 1], for a batch of several tasks; empty: {@code cfgScale} for all. */
    private final Optional<NDArray> rowScales;
    /** The ControlNet units whose residuals the UNet adds; empty for none. */
    private final Optional<ControlSignal> control;

    /**
     * @param unet         the model
     * @param conditioning the prompt and negative prompt embeddings, by step
     * @param cfgScale     guidance scale; 1 disables guidance and skips the unconditional half
     * @param timesteps    the schedule's sigma to timestep map
     * @param step         the sampling step the run is at, from 0
     */
    public GuidedDenoiser(UNet2DConditionModel unet, Conditioning conditioning, double cfgScale,
                          SigmaToTimestep timesteps, IntSupplier step) {
        this(unet, conditioning, cfgScale, timesteps, step, Progress.NONE, Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    /**
     * @param cancellation asked before each UNet call; a cancelled one stops the run with a
     *                     {@link java.util.concurrent.CancellationException}
     */
    GuidedDenoiser(UNet2DConditionModel unet, Conditioning conditioning, double cfgScale, SigmaToTimestep timesteps,
                   IntSupplier step, Progress cancellation) {
        this(unet, conditioning, cfgScale, timesteps, step, cancellation, Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    private GuidedDenoiser(UNet2DConditionModel unet, Conditioning conditioning, double cfgScale,
                           SigmaToTimestep timesteps, IntSupplier step, Progress cancellation,
                           Optional<NDArray> extraChannels, Optional<ControlSignal> control,
                           Optional<NDArray> rowScales) {
        this.unet = unet;
        this.conditioning = conditioning;
        this.cfgScale = cfgScale;
        List<Conditioning.Segment> segments = conditioning.segments();
        for (int i = 0; i < segments.size(); i++) {
            contexts.add(context(segments, i));
        }
        this.timesteps = timesteps;
        this.step = step;
        this.cancellation = cancellation;
        this.extraChannels = extraChannels;
        this.rowScales = rowScales;
        this.control = control;
    }

    /**
     * This denoiser for an inpainting UNet: {@code channels} [batch, c, h, w] (the mask, then the masked image's
     * latents) appended to every UNet input after the latent.
     */
    GuidedDenoiser withExtraChannels(NDArray channels) {
        return new GuidedDenoiser(unet, conditioning, cfgScale, timesteps, step, cancellation, Optional.of(channels),
                control, rowScales);
    }

    /**
     * This denoiser for a batch of several tasks, each row guided by its own scale (the same float32 product as a
     * task alone: {@code eps_u + scale (eps_c - eps_u)}, element by element).
     *
     * @param scales one per row of the batch, none of them 1: a guided denoiser guides every row
     */
    GuidedDenoiser withRowScales(float[] scales) {
        if (!guided(cfgScale)) {
            throw new IllegalStateException("row scales " + Arrays.toString(scales)
                    + " for a denoiser without guidance: expected a guided one (cfg scale other than 1)");
        }
        for (float scale : scales) {
            if (!guided(scale)) {
                throw new IllegalArgumentException("row scale 1 in " + Arrays.toString(scales)
                        + ": a row without guidance runs in another batch, expected scales other than 1");
            }
        }
        NDArray perRow = contexts.get(0).getManager().create(scales).reshape(scales.length, 1, 1, 1);
        return new GuidedDenoiser(unet, conditioning, cfgScale, timesteps, step, cancellation, extraChannels, control,
                Optional.of(perRow));
    }

    /** This denoiser with ControlNet units: their residuals are added to every UNet call. */
    GuidedDenoiser withControl(ControlSignal signal) {
        return new GuidedDenoiser(unet, conditioning, cfgScale, timesteps, step, cancellation, extraChannels,
                Optional.of(signal), rowScales);
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
        cancellation.checkCancelled(step.getAsInt());
        NDArray scaled = x.div((float) Math.sqrt(sigma * sigma + 1));
        NDArray input = extraChannels.map(extra -> NDArrays.concat(new NDList(scaled, extra), 1)).orElse(scaled);
        float t = timesteps.timestepOf(sigma);
        NDArray eps;
        if (guided(cfgScale)) {
            NDArray doubled = NDArrays.concat(new NDList(input, input), 0);
            // only the ControlNets of an inpainting UNet's run need the latent without the extra channels
            NDArray latents = extraChannels.isEmpty() || control.isEmpty() ? doubled
                    : NDArrays.concat(new NDList(scaled, scaled), 0);
            NDArray both = unet(latents, doubled, t, context);
            NDList halves = both.split(2, 0);
            NDArray uncondEps = halves.get(0);
            NDArray difference = halves.get(1).sub(uncondEps);
            eps = uncondEps.add(rowScales.map(difference::mul).orElseGet(() -> difference.mul((float) cfgScale)));
        } else {
            eps = unet(scaled, input, t, context);
        }
        return x.sub(eps.mul((float) sigma));
    }

    /**
     * The UNet on {@code input} (the latent with any extra channels) with the residuals of the ControlNets that
     * control this step, which see the {@code latent} alone, as diffusers' ControlNet inpainting pipeline has it.
     */
    private NDArray unet(NDArray latent, NDArray input, float t, NDArray context) {
        Optional<ControlResiduals> residuals = control.flatMap(signal -> signal.residuals(latent, t, context));
        return residuals.isPresent() ? unet.forward(input, t, context, residuals.get()) : unet.forward(input, t, context);
    }
}
