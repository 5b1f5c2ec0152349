package dev.diffarm.api.conformance;

import ai.djl.ndarray.NDArray;
import dev.diffarm.api.Denoiser;
import dev.diffarm.api.DiffusersEquivalent;
import dev.diffarm.api.NoiseSource;
import dev.diffarm.api.Progress;
import dev.diffarm.api.Sampler;
import dev.diffarm.api.Sigmas;
import dev.diffarm.api.sampling.Ode;
import dev.diffarm.api.sampling.StepLoop;
import java.util.Random;

/**
 * Samplers for the kit's own tests: Euler's method, which the kit must pass, and versions of it with the mistakes
 * the kit is there to catch.
 */
final class KitSamplers {
    private KitSamplers() {
    }

    /** Euler with the level its model call and its step use, to be got wrong. */
    private abstract static class EulerLike implements Sampler {
        private final String name;

        EulerLike(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public DiffusersEquivalent diffusers() {
            return DiffusersEquivalent.of("EulerDiscreteScheduler");
        }

        /** The level the model is called at in step {@code i}. */
        double modelLevel(Sigmas sigmas, int i) {
            return sigmas.get(i);
        }

        @Override
        public NDArray sample(Denoiser denoiser, NDArray x, Sigmas sigmas, NoiseSource noise, Progress progress) {
            return StepLoop.run(x, sigmas, progress, (i, xi) -> {
                double sigma = sigmas.get(i);
                NDArray d = Ode.derivative(xi, denoiser.denoise(xi, modelLevel(sigmas, i)), sigma);
                return Ode.euler(xi, d, sigmas.get(i + 1) - sigma);
            });
        }
    }

    /** Euler's method on the probability-flow ODE. */
    static Sampler euler() {
        return new EulerLike("Euler") {
        };
    }

    /** Off by one: calls the model at the level the step goes to, not the one it starts at. */
    static Sampler modelAtNextLevel() {
        return new EulerLike("Euler calling the model at sigma[i + 1]") {
            @Override
            double modelLevel(Sigmas sigmas, int i) {
                return Math.max(sigmas.get(i + 1), Double.MIN_NORMAL);
            }
        };
    }

    /** Off by one: stops a step early, leaving the noise of the last level in. */
    static Sampler skipsTheLastStep() {
        return new EulerLike("Euler skipping the last step") {
            @Override
            public NDArray sample(Denoiser denoiser, NDArray x, Sigmas sigmas, NoiseSource noise, Progress progress) {
                double[] levels = sigmas.toArray();
                return super.sample(denoiser, x, Sigmas.of(java.util.Arrays.copyOf(levels, levels.length - 1)), noise,
                        progress);
            }
        };
    }

    /** Keeps every step's arrays: no scope around the step. */
    static Sampler leaky() {
        return leaky("Euler without step scopes", 0);
    }

    /** Keeps every step's arrays and stops a step early. */
    static Sampler leakyAndShort() {
        return leaky("Euler without step scopes or its last step", 1);
    }

    private static Sampler leaky(String name, int stepsLeftOut) {
        return new EulerLike(name) {
            @Override
            public NDArray sample(Denoiser denoiser, NDArray x, Sigmas sigmas, NoiseSource noise, Progress progress) {
                NDArray xi = x;
                for (int i = 0; i < sigmas.steps() - stepsLeftOut; i++) {
                    progress.checkCancelled(i);
                    double sigma = sigmas.get(i);
                    xi = Ode.euler(xi, Ode.derivative(xi, denoiser.denoise(xi, sigma), sigma), sigmas.get(i + 1) - sigma);
                    progress.onStep(i, sigmas.steps(), xi);
                }
                return xi;
            }
        };
    }

    /** Never looks at cancellation. */
    static Sampler deaf() {
        return new EulerLike("Euler ignoring cancellation") {
            @Override
            public NDArray sample(Denoiser denoiser, NDArray x, Sigmas sigmas, NoiseSource noise, Progress progress) {
                return super.sample(denoiser, x, sigmas, noise, new Progress() {
                    @Override
                    public void onStep(int step, int total, NDArray latent) {
                        progress.onStep(step, total, latent);
                    }
                });
            }
        };
    }

    /** Draws noise from a generator of its own instead of the job's. */
    static Sampler ownNoise() {
        Random unseeded = new Random();
        return new EulerLike("Euler with noise of its own") {
            @Override
            public NDArray sample(Denoiser denoiser, NDArray x, Sigmas sigmas, NoiseSource noise, Progress progress) {
                NoiseSource own = (manager, shape) -> new SeededNoise(unseeded.nextLong()).next(manager, shape);
                return StepLoop.run(x, sigmas, progress, (i, xi) -> {
                    double sigma = sigmas.get(i);
                    NDArray d = Ode.derivative(xi, denoiser.denoise(xi, sigma), sigma);
                    return Ode.euler(xi, d, sigmas.get(i + 1) - sigma)
                            .add(own.next(xi.getManager(), xi.getShape()).mul(1e-3f));
                });
            }
        };
    }
}
