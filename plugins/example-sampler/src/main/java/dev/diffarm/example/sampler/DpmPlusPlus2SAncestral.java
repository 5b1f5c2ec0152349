package dev.diffarm.example.sampler;

import ai.djl.ndarray.NDArray;
import dev.diffarm.api.Denoiser;
import dev.diffarm.api.DiffusersEquivalent;
import dev.diffarm.api.NoiseSource;
import dev.diffarm.api.Progress;
import dev.diffarm.api.Sampler;
import dev.diffarm.api.Sigmas;
import dev.diffarm.api.sampling.AncestralStep;
import dev.diffarm.api.sampling.Ode;
import dev.diffarm.api.sampling.StepLoop;
import java.util.List;
import java.util.OptionalDouble;
import org.pf4j.Extension;

/**
 * Ancestral DPM-Solver++(2S) ("DPM++ 2S a", k-diffusion's {@code sample_dpmpp_2s_ancestral}), the example sampler
 * plugin. Each step goes down to {@code sigma_down} of an ancestral split ({@link AncestralStep}) in two
 * data-prediction half steps, then adds fresh noise of size {@code sigma_up}:
 * <pre>
 *   s       = sqrt(sigma * sigma_down)                    the midpoint in log sigma
 *   x_mid   = (s / sigma) x + (1 - s / sigma) D(x, sigma)
 *   x_next  = (sigma_down / sigma) x + (1 - sigma_down / sigma) D(x_mid, s) + sigma_up z
 * </pre>
 * where {@code D} is the denoiser and {@code z} fresh noise. A step that ends at 0 is a plain Euler step.
 *
 * <p>{@code @Extension} is all PF4J needs: its annotation processor lists this class in the jar's
 * {@code META-INF/extensions.idx}, and the engine finds it there as a {@link Sampler}.
 */
@Extension
public final class DpmPlusPlus2SAncestral implements Sampler {
    private final double eta;

    /** The full ancestral step ({@code eta = 1}), the default. */
    public DpmPlusPlus2SAncestral() {
        this(1);
    }

    /**
     * @param eta the share of the ancestral noise, in [0, 1]: 0 is the deterministic DPM-Solver++(2S)
     * @throws IllegalArgumentException for an eta outside [0, 1]
     */
    public DpmPlusPlus2SAncestral(double eta) {
        this.eta = AncestralStep.checkEta(eta);
    }

    /** The name users select it by, as AUTOMATIC1111 spells it. */
    @Override
    public String name() {
        return "DPM++ 2S a";
    }

    /**
     * diffusers has no such scheduler; this one gives the k-diffusion-style levels the sampler walks by default
     * (a user may pick another schedule: {@code DPM++ 2S a Karras}).
     */
    @Override
    public DiffusersEquivalent diffusers() {
        return DiffusersEquivalent.of("EulerAncestralDiscreteScheduler");
    }

    /** k-diffusion's name for it: {@code --sampler sample_dpmpp_2s_ancestral} works too. */
    @Override
    public List<String> aliases() {
        return List.of("sample_dpmpp_2s_ancestral");
    }

    @Override
    public OptionalDouble eta() {
        return OptionalDouble.of(eta);
    }

    @Override
    public Sampler withEta(double eta) {
        return new DpmPlusPlus2SAncestral(eta);
    }

    /** {@link StepLoop} keeps the contract: cancellation, one NDScope per step, progress reports. */
    @Override
    public NDArray sample(Denoiser denoiser, NDArray x, Sigmas sigmas, NoiseSource noise, Progress progress) {
        return StepLoop.run(x, sigmas, progress, (i, xi) -> {
            double sigma = sigmas.get(i);
            double next = sigmas.get(i + 1);
            AncestralStep split = AncestralStep.of(sigma, next, eta);
            NDArray denoised = denoiser.denoise(xi, sigma);
            if (split.down() == 0) {
                return Ode.euler(xi, Ode.derivative(xi, denoised, sigma), -sigma);
            }
            double mid = Ode.logMidpoint(sigma, split.down());
            NDArray atMid = towards(xi, denoised, mid / sigma);
            NDArray stepped = towards(xi, denoiser.denoise(atMid, mid), split.down() / sigma);
            return stepped.add(noise.next(xi.getManager(), xi.getShape()).mul((float) split.up()));
        });
    }

    /** {@code r x + (1 - r) denoised}: the first-order data-prediction step that scales the noise by {@code r}. */
    private static NDArray towards(NDArray x, NDArray denoised, double r) {
        return x.mul((float) r).add(denoised.mul((float) (1 - r)));
    }
}
