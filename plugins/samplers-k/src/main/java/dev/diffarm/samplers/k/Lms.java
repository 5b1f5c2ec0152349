package dev.diffarm.samplers.k;

import ai.djl.ndarray.NDArray;
import dev.diffarm.api.Denoiser;
import dev.diffarm.api.DiffusersEquivalent;
import dev.diffarm.api.NoiseSource;
import dev.diffarm.api.Progress;
import dev.diffarm.api.Sampler;
import dev.diffarm.api.Sigmas;
import dev.diffarm.api.sampling.History;
import dev.diffarm.api.sampling.Ode;
import dev.diffarm.api.sampling.StepLoop;
import java.util.List;
import org.pf4j.Extension;

/**
 * Linear multistep (k-diffusion's {@code sample_lms}, diffusers' LMSDiscreteScheduler): the slope is interpolated by
 * the polynomial through the last {@value #ORDER} slopes, at their own (uneven) levels, and integrated over the
 * step; the first steps use as many slopes as there are.
 */
@Extension
public final class Lms implements Sampler {
    /** The number of slopes the polynomial goes through, as diffusers' pipelines use it. */
    static final int ORDER = 4;
    /** Gauss-Legendre with two nodes, exact for polynomials of degree 3 = {@link #ORDER} - 1. */
    private static final double GAUSS_NODE = 1 / Math.sqrt(3);

    @Override
    public String name() {
        return "LMS";
    }

    @Override
    public DiffusersEquivalent diffusers() {
        return DiffusersEquivalent.of("LMSDiscreteScheduler");
    }

    @Override
    public List<String> aliases() {
        return List.of("sample_lms");
    }

    @Override
    public NDArray sample(Denoiser denoiser, NDArray x, Sigmas sigmas, NoiseSource noise, Progress progress) {
        double[] levels = sigmas.toArray();
        try (History slopes = new History(ORDER)) {
            return StepLoop.run(x, sigmas, progress, (i, xi) -> {
                slopes.push(Ode.derivative(xi, denoiser.denoise(xi, levels[i]), levels[i]));
                NDArray next = xi;
                for (int j = 0; j < slopes.size(); j++) {
                    next = next.add(slopes.get(j).mul((float) coefficient(levels, i, slopes.size(), j)));
                }
                return next;
            });
        }
    }

    /**
     * The weight of the slope at {@code levels[i - j]} in the step from {@code levels[i]} to {@code levels[i + 1]}:
     * the integral over the step of the Lagrange basis polynomial that is 1 at that level and 0 at the other
     * {@code order - 1} levels {@code levels[i]}, {@code levels[i - 1]}, ....
     */
    static double coefficient(double[] levels, int i, int order, int j) {
        double from = levels[i];
        double to = levels[i + 1];
        double middle = (from + to) / 2;
        double half = (to - from) / 2;
        return half * (basis(levels, i, order, j, middle - half * GAUSS_NODE)
                + basis(levels, i, order, j, middle + half * GAUSS_NODE));
    }

    private static double basis(double[] levels, int i, int order, int j, double sigma) {
        double product = 1;
        for (int k = 0; k < order; k++) {
            if (k != j) {
                product *= (sigma - levels[i - k]) / (levels[i - j] - levels[i - k]);
            }
        }
        return product;
    }
}
