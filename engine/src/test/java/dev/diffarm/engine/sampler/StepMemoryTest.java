package dev.diffarm.engine.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.api.Progress;
import dev.diffarm.api.Sampler;
import dev.diffarm.api.Sigmas;
import dev.diffarm.engine.model.ModelFiles;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.pipeline.GuidedDenoiser;
import dev.diffarm.engine.random.TorchGenerator;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.TestSamplers;
import dev.diffarm.engine.unet.UNet2DConditionModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Nothing a step allocates outlives it: the job's live arrays are the same after step 10 and step 300. */
class StepMemoryTest {
    @ParameterizedTest
    @ValueSource(strings = {"Euler a", "DDIM"})
    void liveArraysStayFlatOverManySteps(String name) {
        Sampler sampler = TestSamplers.sampler(name);
        int steps = 300;
        double[] levels = new double[steps + 1];
        for (int i = 0; i < steps; i++) {
            levels[i] = 14.6 * Math.pow(0.03 / 14.6, i / (double) (steps - 1));
        }
        try (NDManager model = NDManager.newBaseManager();
             ModelFiles files = ModelFiles.open(Fixtures.sdTiny("model"), Optional.empty())) {
            UNet2DConditionModel unet = new UNet2DConditionModel(new Weights(files.unet().tensors(), model), files.unet().config());
            try (NDManager job = NDManager.newBaseManager()) {
                NDArray text = job.randomNormal(new Shape(1, 77, 32));
                GuidedDenoiser denoiser = new GuidedDenoiser(unet, text, text.mul(0.5f), 7.5, sigma -> 500f);
                TorchGenerator noise = new TorchGenerator(7);
                NDArray x = noise.next(job, new Shape(1, 4, 8, 8)).mul((float) levels[0]);
                List<Integer> live = new ArrayList<>();
                sampler.sample(denoiser, x, Sigmas.of(levels), noise, new Progress() {
                    @Override
                    public void onStep(int step, int total, NDArray latent) {
                        live.add(job.getManagedArrays().size());
                    }
                });
                System.out.printf("%s: live arrays after step 10: %d, after step %d: %d%n", name, live.get(9), steps,
                        live.get(steps - 1));
                assertEquals(live.get(9), live.get(steps - 1), "arrays alive in the job's manager");
            }
        }
    }
}
