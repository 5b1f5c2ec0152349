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
 * A UNet with classifier-free guidance, seen as a {@link Denoiser}: {@code eps = eps_u + cfg (eps_c - eps_u)},
 * {@code denoised = x - sigma eps} for a noise-predicting UNet ({@link Prediction} says how for others). The UNet sees
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
 * <p>The SD x4 upscaler's UNet (7 input channels) sees the noised low-resolution image the same way, and its noise
 * level as a class label ({@link #withClassLabel}) in both halves of the guided batch.
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
    private final Prediction prediction;
    /** The UNet's class label (the x4 upscaler's noise level), or -1 for a UNet without class embeddings. */
    private final long classLabel;

    /**
     * @param unet         the model
     * @param conditioning the prompt and negative prompt embeddings, by step
     * @param cfgScale     guidance scale; 1 disables guidance and skips the unconditional half
     * @param timesteps    the schedule's sigma to timestep map
     * @param step         the sampling step the run is at, from 0
     */
    public GuidedDenoiser(UNet2DConditionModel unet, Conditioning conditioning, double cfgScale,
                          SigmaToTimestep timesteps, IntSupplier step) {
        this(unet, conditioning, cfgScale, timesteps, step, Progress.NONE);
    }

    /**
     * @param cancellation asked before each UNet call; a cancelled one stops the run with a
     *                     {@link java.util.concurrent.CancellationException}
     */
    public GuidedDenoiser(UNet2DConditionModel unet, Conditioning conditioning, double cfgScale,
                          SigmaToTimestep timesteps, IntSupplier step, Progress cancellation) {
        this(unet, conditioning, cfgScale, timesteps, step, cancellation, Optional.empty(), Optional.empty(),
                Optional.empty(), Prediction.EPSILON, -1);
    }

    private GuidedDenoiser(UNet2DConditionModel unet, Conditioning conditioning, double cfgScale,
                           SigmaToTimestep timesteps, IntSupplier step, Progress cancellation,
                           Optional<NDArray> extraChannels, Optional<ControlSignal> control,
                           Optional<NDArray> rowScales, Prediction prediction, long classLabel) {
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
        this.prediction = prediction;
        this.classLabel = classLabel;
    }

    /**
     * This denoiser with {@code channels} [batch, c, h, w] appended to every UNet input after the latent: for an
     * inpainting UNet the mask, then the masked image's latents; for the x4 upscaler the noised low-res image.
     */
    public GuidedDenoiser withExtraChannels(NDArray channels) {
        return new GuidedDenoiser(unet, conditioning, cfgScale, timesteps, step, cancellation, Optional.of(channels),
                control, rowScales, prediction, classLabel);
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
                Optional.of(perRow), prediction, classLabel);
    }

    /** This denoiser with ControlNet units: their residuals are added to every UNet call. */
    GuidedDenoiser withControl(ControlSignal signal) {
        return new GuidedDenoiser(unet, conditioning, cfgScale, timesteps, step, cancellation, extraChannels,
                Optional.of(signal), rowScales, prediction, classLabel);
    }

    /** This denoiser for a UNet that predicts {@code prediction} (the model's scheduler config says which). */
    public GuidedDenoiser withPrediction(Prediction prediction) {
        return new GuidedDenoiser(unet, conditioning, cfgScale, timesteps, step, cancellation, extraChannels, control,
                rowScales, prediction, classLabel);
    }

    /** This denoiser for a UNet with class embeddings, given {@code label} (the x4 upscaler's noise level). */
    public GuidedDenoiser withClassLabel(long label) {
        if (label < 0) {
            throw new IllegalArgumentException("class label " + label + ": expected 0 or more");
        }
        return new GuidedDenoiser(unet, conditioning, cfgScale, timesteps, step, cancellation, extraChannels, control,
                rowScales, prediction, label);
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
        NDArray output;
        if (guided(cfgScale)) {
            NDArray doubled = NDArrays.concat(new NDList(input, input), 0);
            // only the ControlNets of an inpainting UNet's run need the latent without the extra channels
            NDArray latents = extraChannels.isEmpty() || control.isEmpty() ? doubled
                    : NDArrays.concat(new NDList(scaled, scaled), 0);
            NDArray both = unet(latents, doubled, t, context);
            NDList halves = both.split(2, 0);
            NDArray uncond = halves.get(0);
            NDArray difference = halves.get(1).sub(uncond);
            output = uncond.add(rowScales.map(difference::mul).orElseGet(() -> difference.mul((float) cfgScale)));
        } else {
            output = unet(scaled, input, t, context);
        }
        return prediction.denoised(x, sigma, output);
    }

    /**
     * The UNet on {@code input} (the latent with any extra channels) with the residuals of the ControlNets that
     * control this step, which see the {@code latent} alone, as diffusers' ControlNet inpainting pipeline has it.
     */
    private NDArray unet(NDArray latent, NDArray input, float t, NDArray context) {
        Optional<ControlResiduals> residuals = control.flatMap(signal -> signal.residuals(latent, t, context));
        return unet.forward(input, t, context, classLabel, residuals);
    }
}
