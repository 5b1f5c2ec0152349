package dev.diffarm.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.OptionalDouble;

/**
 * The training loss of a denoising step, as diffusers' training scripts compute it: the MSE between the UNet's
 * prediction and its target, the noise ({@code epsilon}) or the velocity {@code √ᾱ·noise − √(1−ᾱ)·latents}
 * ({@code v_prediction}); optionally weighted per sample by min-SNR-γ ({@code min(SNR, γ) / SNR}, or
 * {@code / (SNR + 1)} for v), SNR = ᾱ / (1 − ᾱ).
 */
public final class NoiseObjective {
    /** What the UNet predicts. */
    public enum Prediction { EPSILON, V_PREDICTION }

    private final Prediction prediction;
    private final OptionalDouble snrGamma;
    private final float[] alphasCumprod;

    /**
     * @param alphasCumprod the training schedule's ᾱ in float32
     * @param snrGamma      min-SNR-γ's γ, or empty for the plain mean
     */
    public NoiseObjective(Prediction prediction, OptionalDouble snrGamma, float[] alphasCumprod) {
        if (snrGamma.isPresent() && !(snrGamma.getAsDouble() > 0)) {
            throw new IllegalArgumentException("snrGamma: must be positive, got " + snrGamma.getAsDouble());
        }
        this.prediction = prediction;
        this.snrGamma = snrGamma;
        this.alphasCumprod = alphasCumprod.clone();
    }

    /** DDPMScheduler.add_noise: {@code √ᾱ[t]·latents + √(1−ᾱ[t])·noise} per sample, in float32. */
    public NDArray addNoise(NDArray latents, NDArray noise, long[] timesteps) {
        NDManager manager = latents.getManager();
        return latents.mul(perSample(manager, sqrtAlpha(timesteps))).add(noise.mul(perSample(manager, sqrtOneMinusAlpha(timesteps))));
    }

    /** What the prediction is compared with. */
    public NDArray target(NDArray latents, NDArray noise, long[] timesteps) {
        if (prediction == Prediction.EPSILON) {
            return noise;
        }
        NDManager manager = latents.getManager();
        return noise.mul(perSample(manager, sqrtAlpha(timesteps))).sub(latents.mul(perSample(manager, sqrtOneMinusAlpha(timesteps))));
    }

    /**
     * The loss of {@code pred} against {@code target}: the mean of the squared error, each sample weighted by min-SNR-γ
     * when set.
     */
    public NDArray loss(NDArray pred, NDArray target, long[] timesteps) {
        NDArray squared = pred.sub(target).square();
        if (snrGamma.isEmpty()) {
            return squared.mean();
        }
        float[] weights = new float[timesteps.length];
        for (int i = 0; i < timesteps.length; i++) {
            float snr = snr(timesteps[i]);
            float clipped = Math.min(snr, (float) snrGamma.getAsDouble());
            weights[i] = prediction == Prediction.EPSILON ? clipped / snr : clipped / (snr + 1f);
        }
        long n = pred.getShape().get(0);
        NDArray perSampleLoss = squared.reshape(n, -1).mean(new int[] {1});
        return perSampleLoss.mul(pred.getManager().create(weights)).mean();
    }

    /**
     * DreamBooth's prior-preservation loss over a batch whose first half are instance examples and second half class
     * examples: {@code loss(instance half) + priorWeight · loss(class half)}.
     *
     * @param total    the loss to minimise
     * @param instance the instance half's loss
     * @param prior    the class half's loss
     */
    public record PriorPreservation(NDArray total, NDArray instance, NDArray prior) {
    }

    public PriorPreservation priorPreservationLoss(NDArray pred, NDArray target, long[] timesteps, double priorWeight) {
        long n = pred.getShape().get(0);
        if (n % 2 != 0) {
            throw new IllegalArgumentException("prior preservation needs instance and class examples in equal halves; "
                    + "got a batch of " + n);
        }
        int half = (int) (n / 2);
        NDArray instance = loss(pred.get("0:" + half), target.get("0:" + half), java.util.Arrays.copyOfRange(timesteps, 0, half));
        NDArray prior = loss(pred.get(half + ":"), target.get(half + ":"), java.util.Arrays.copyOfRange(timesteps, half, (int) n));
        // the weight as an array of the caller's scope: the graph keeps it for the backward pass
        NDArray weight = pred.getManager().create((float) priorWeight);
        return new PriorPreservation(instance.add(prior.mul(weight)), instance, prior);
    }

    /** diffusers' {@code compute_snr}: (√ᾱ / √(1−ᾱ))² in float32. */
    private float snr(long t) {
        float alpha = (float) Math.sqrt(alphasCumprod[(int) t]);
        float sigma = (float) Math.sqrt(1f - alphasCumprod[(int) t]);
        float ratio = alpha / sigma;
        return ratio * ratio;
    }

    private float[] sqrtAlpha(long[] timesteps) {
        float[] out = new float[timesteps.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) Math.sqrt(alphasCumprod[(int) timesteps[i]]);
        }
        return out;
    }

    private float[] sqrtOneMinusAlpha(long[] timesteps) {
        float[] out = new float[timesteps.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) Math.sqrt(1f - alphasCumprod[(int) timesteps[i]]);
        }
        return out;
    }

    private static NDArray perSample(NDManager manager, float[] values) {
        return manager.create(values).reshape(values.length, 1, 1, 1);
    }
}
