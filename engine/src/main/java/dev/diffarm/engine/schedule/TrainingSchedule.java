package dev.diffarm.engine.schedule;

import dev.diffarm.api.ModelNoise;
import dev.diffarm.api.NoiseSchedule;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * The noise schedule a model was trained with, as a diffusers scheduler builds it in float32 tensors: the betas,
 * {@code alphas_cumprod} ({@code abar}) and the training sigmas {@code sqrt((1 - abar) / abar)}, one per
 * training timestep.
 *
 * <p>The float32 values are exactly torch's (CPU): {@code torch.linspace} as its kernel rounds, and
 * {@code torch.cumprod}, which on the CPU accumulates in float64 and rounds each product to float32.
 */
public final class TrainingSchedule {
    /** What a scheduler class does with {@code rescale_betas_zero_snr}. */
    enum ZeroSnr {
        /** The class has no such option. */
        IGNORE,
        /** Rescales the betas to zero terminal SNR (Lin et al. 2023), so that {@code abar[T-1] = 0}. */
        RESCALE,
        /** Rescales, then sets {@code abar[T-1] = 2^-24} so that the largest sigma stays finite. */
        RESCALE_AND_CLAMP
    }

    /** The smallest positive float16 subnormal, diffusers' stand-in for a zero {@code abar}. */
    private static final float CLAMPED_LAST_ALPHA_CUMPROD = 0x1p-24f;
    /** diffusers' floor under sigma before taking its log in {@code _sigma_to_t}. */
    private static final double MIN_SIGMA_FOR_LOG = 1e-10;

    private final float[] betas;
    private final float[] alphasCumprod;
    private final float[] sigmas;
    private final float[] logSigmas;

    private TrainingSchedule(float[] betas, float[] alphasCumprod) {
        this.betas = betas;
        this.alphasCumprod = alphasCumprod;
        int n = alphasCumprod.length;
        this.sigmas = new float[n];
        this.logSigmas = new float[n];
        for (int t = 0; t < n; t++) {
            float abar = alphasCumprod[t];
            sigmas[t] = (float) Math.sqrt((1f - abar) / abar);
            logSigmas[t] = (float) Math.log(sigmas[t]);
        }
    }

    /**
     * The schedule of {@code config}, treating {@code rescale_betas_zero_snr} as the class it names does
     * (as DDPM and DDIM do for a class diffarm does not know).
     */
    public static TrainingSchedule of(SchedulerConfig config) {
        return DiffusersScheduler.find(config.className())
                .map(scheduler -> scheduler.trainingSchedule(config))
                .orElseGet(() -> of(config, ZeroSnr.RESCALE));
    }

    static TrainingSchedule of(SchedulerConfig config, ZeroSnr zeroSnr) {
        float[] betas = betas(config);
        boolean rescale = config.rescaleBetasZeroSnr() && zeroSnr != ZeroSnr.IGNORE;
        if (rescale) {
            betas = rescaledToZeroTerminalSnr(betas);
        }
        float[] alphasCumprod = cumprod(oneMinus(betas));
        if (rescale && zeroSnr == ZeroSnr.RESCALE_AND_CLAMP) {
            alphasCumprod[alphasCumprod.length - 1] = CLAMPED_LAST_ALPHA_CUMPROD;
        }
        return new TrainingSchedule(betas, alphasCumprod);
    }

    private static float[] betas(SchedulerConfig config) {
        int n = config.numTrainTimesteps();
        List<Double> trained = config.trainedBetas();
        if (!trained.isEmpty()) {
            float[] betas = new float[n];
            for (int t = 0; t < n; t++) {
                betas[t] = trained.get(t).floatValue();
            }
            return betas;
        }
        return switch (config.betaSchedule()) {
            case LINEAR -> TorchLinspace.float32(config.betaStart(), config.betaEnd(), n);
            case SCALED_LINEAR -> squared(TorchLinspace.float32(Math.sqrt(config.betaStart()), Math.sqrt(config.betaEnd()), n));
            case SQUAREDCOS_CAP_V2 -> cosineBetas(n);
        };
    }

    /** Nichol and Dhariwal's cosine schedule, capped at 0.999, in float64 then stored as float32. */
    private static float[] cosineBetas(int n) {
        float[] betas = new float[n];
        for (int i = 0; i < n; i++) {
            double t1 = (double) i / n;
            double t2 = (double) (i + 1) / n;
            betas[i] = (float) Math.min(1 - cosineAlphaBar(t2) / cosineAlphaBar(t1), 0.999);
        }
        return betas;
    }

    private static double cosineAlphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /** Lin et al. (2023), algorithm 1, in float32: shift and scale sqrt(abar) so that it ends at 0. */
    private static float[] rescaledToZeroTerminalSnr(float[] betas) {
        float[] sqrtAbar = cumprod(oneMinus(betas));
        for (int t = 0; t < sqrtAbar.length; t++) {
            sqrtAbar[t] = (float) Math.sqrt(sqrtAbar[t]);
        }
        float first = sqrtAbar[0];
        float last = sqrtAbar[sqrtAbar.length - 1];
        float scale = first / (first - last);
        float[] abar = new float[sqrtAbar.length];
        for (int t = 0; t < abar.length; t++) {
            float shifted = (sqrtAbar[t] - last) * scale;
            abar[t] = shifted * shifted;
        }
        float[] rescaled = new float[abar.length];
        rescaled[0] = 1f - abar[0];
        for (int t = 1; t < abar.length; t++) {
            rescaled[t] = 1f - abar[t] / abar[t - 1];
        }
        return rescaled;
    }

    private static float[] squared(float[] values) {
        float[] squares = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            squares[i] = values[i] * values[i];
        }
        return squares;
    }

    private static float[] oneMinus(float[] values) {
        float[] result = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = 1f - values[i];
        }
        return result;
    }

    /** torch.cumprod on the CPU: a float64 running product, each prefix stored as float32. */
    private static float[] cumprod(float[] values) {
        float[] prefixes = new float[values.length];
        double product = 1;
        for (int i = 0; i < values.length; i++) {
            product *= values[i];
            prefixes[i] = (float) product;
        }
        return prefixes;
    }

    /** Number of training timesteps. */
    public int size() {
        return alphasCumprod.length;
    }

    public float[] betas() {
        return betas.clone();
    }

    public float[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    /** The training sigmas, {@code sqrt((1 - abar) / abar)} in float32 as diffusers computes them. */
    public float[] sigmas() {
        return sigmas.clone();
    }

    public double alphaCumprod(int timestep) {
        return alphasCumprod[timestep];
    }

    public double sigma(int timestep) {
        return sigmas[timestep];
    }

    /** {@code np.log} of the float32 training sigma, itself float32, as diffusers' {@code log_sigmas}. */
    double logSigma(int timestep) {
        return logSigmas[timestep];
    }

    /**
     * The model's noise levels for a {@link NoiseSchedule} asked for levels between {@code sigmaMin} and
     * {@code sigmaMax}: those, with the training sigmas.
     */
    ModelNoise noiseBetween(double sigmaMin, double sigmaMax) {
        double[] trainingSigmas = new double[sigmas.length];
        for (int t = 0; t < sigmas.length; t++) {
            trainingSigmas[t] = sigmas[t];
        }
        return new ModelNoise(sigmaMin, sigmaMax, trainingSigmas);
    }

    /** The model's noise levels over the whole training range, from the first training sigma to the last. */
    ModelNoise noiseOverTrainingRange() {
        double largest = sigmas[sigmas.length - 1];
        if (Double.isInfinite(largest)) {
            throw new UnsupportedOperationException("a noise schedule over the training range: the last training "
                    + "sigma is infinite (rescale_betas_zero_snr), so the range has no top");
        }
        return noiseBetween(sigmas[0], largest);
    }

    /** {@link #timestepOf} each of {@code levels}, as a scheduler stores it ({@code stored}: as is, rounded, ...). */
    double[] timestepsOf(double[] levels, DoubleUnaryOperator stored) {
        double[] timesteps = new double[levels.length];
        for (int i = 0; i < levels.length; i++) {
            timesteps[i] = stored.applyAsDouble(timestepOf(levels[i]));
        }
        return timesteps;
    }

    /** Equal when betas and alphas_cumprod are equal bit for bit. */
    @Override
    public boolean equals(Object other) {
        return other instanceof TrainingSchedule t && Arrays.equals(betas, t.betas)
                && Arrays.equals(alphasCumprod, t.alphasCumprod);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(betas) + Arrays.hashCode(alphasCumprod);
    }

    /**
     * The (fractional) timestep of noise level {@code sigma}: diffusers' {@code _sigma_to_t}, a linear
     * interpolation of the timestep in log sigma between the two training sigmas around it, held at 0 and
     * T-1 outside them.
     *
     * <p>Under numpy 1.x, which diffusers 0.29.2 runs on, a float64 scalar meeting the float32 array
     * {@code log_sigmas} is cast to float32, so the search and the interpolation weight are float32 and only the
     * final blend is float64. The logs of the training sigmas are correctly rounded here; numpy's SIMD float32
     * log is off by one ulp in about a fifth of them, which moves fractional timesteps by up to 2 float32 ulps.
     */
    public double timestepOf(double sigma) {
        float logSigma = (float) Math.log(Math.max(sigma, MIN_SIGMA_FOR_LOG));
        int low = 0;
        for (int t = 0; t < logSigmas.length; t++) {
            if (logSigma >= logSigmas[t]) {
                low = t;
            }
        }
        low = Math.min(low, logSigmas.length - 2);
        int high = low + 1;
        float w = (logSigmas[low] - logSigma) / (logSigmas[low] - logSigmas[high]);
        w = Math.min(Math.max(w, 0f), 1f);
        return (double) (1f - w) * low + (double) w * high;
    }
}
