package dev.diffarm.engine.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.api.NoiseSource;
import dev.diffarm.api.Progress;
import dev.diffarm.api.Sampler;
import dev.diffarm.api.Sigmas;
import dev.diffarm.engine.model.ModelFiles;
import java.util.Optional;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.pipeline.GuidedDenoiser;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.schedule.Schedule;
import dev.diffarm.engine.schedule.SchedulerConfig;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import dev.diffarm.engine.unet.UNet2DConditionModel;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each sampler replayed on the reference's own schedule and noise: every step's latent must match the
 * reference's, which isolates the sampler and the guidance from the schedule and the generator.
 */
class RecordedRunTest {
    private static NDManager manager;
    private static UNet2DConditionModel unet;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        try (ModelFiles files = ModelFiles.open(Fixtures.sdTiny("model"), Optional.empty())) {
            unet = new UNet2DConditionModel(new Weights(files.unet().tensors(), manager), files.unet().config());
        }
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @ParameterizedTest
    @CsvSource({"run-Euler_a-7steps, Euler a", "run-DDIM-7steps, DDIM", "run-Euler_a-7steps-34x26, Euler a",
            "run-DDIM-7steps-34x26, DDIM"})
    void replaysTheReferenceRun(String file, String samplerName) {
        Sampler sampler = samplerName.equals("DDIM") ? new Ddim() : new EulerAncestral();
        try (SafetensorsFile run = SafetensorsFile.open(Fixtures.sdTiny(file + ".safetensors"));
             NDManager job = manager.newSubManager()) {
            float[] timesteps = run.floats("timesteps");
            double[] sigmas = run.contains("sigmas") ? toDoubles(run.floats("sigmas")) : null;
            double initNoiseSigma = run.floats("init_noise_sigma")[0];
            if (sigmas == null) {
                Schedule schedule = Schedule.of(SchedulerConfig.parse(run.metadata().get("scheduler_config")), timesteps.length);
                sigmas = schedule.sigmas().toArray();
                initNoiseSigma = schedule.initNoiseSigma();
            }
            Map<Double, Float> timestepOf = new HashMap<>();
            for (int i = 0; i < timesteps.length; i++) {
                timestepOf.put(sigmas[i], timesteps[i]);
            }
            NDArray cond = run.load("cond", job).expandDims(0);
            NDArray uncond = run.load("uncond", job).expandDims(0);
            GuidedDenoiser denoiser = new GuidedDenoiser(unet, uncond, cond, 7.5, timestepOf::get);
            int[] draw = {1};
            NoiseSource recorded = (m, shape) -> run.load(String.format("noise%03d", draw[0]++), m);
            NDArray x = run.load("initial_latents", job).mul((float) initNoiseSigma);
            double lastSigma = sigmas[sigmas.length - 1];
            double[] levels = sigmas;
            boolean referenceKeepsVpLatents = samplerName.equals("DDIM");
            Progress check = new Progress() {
                @Override
                public void onStep(int step, int total, NDArray latent) {
                    float[] expected = run.floats(String.format("latents_after_step%03d", step));
                    double scale = referenceKeepsVpLatents ? Math.sqrt(1 + sq(levels[step + 1])) : 1;
                    Parity.assertClose(file + " step " + step, expected, latent.div((float) scale).toFloatArray(), 1e-4);
                }
            };
            NDArray out = sampler.sample(denoiser, x, Sigmas.of(sigmas), recorded, check);
            Parity.assertClose(file + " final", run.floats("final_latents"),
                    out.div((float) Math.sqrt(1 + lastSigma * lastSigma)).toFloatArray(), 1e-4);
        }
    }

    private static double sq(double v) {
        return v * v;
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
