package dev.diffarm.engine.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.diffarm.api.Denoiser;
import dev.diffarm.api.NoiseSource;
import dev.diffarm.api.Progress;
import dev.diffarm.api.Sampler;
import dev.diffarm.engine.model.ModelFiles;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.pipeline.GuidedDenoiser;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.schedule.Schedule;
import dev.diffarm.engine.schedule.SchedulerConfig;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import dev.diffarm.engine.testing.ReferenceRuns;
import dev.diffarm.engine.testing.ReferenceRuns.Run;
import dev.diffarm.engine.testing.TestSamplers;
import dev.diffarm.engine.testing.WorstErrors;
import dev.diffarm.engine.unet.UNet2DConditionModel;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each reference run replayed through its sampler with diffusers' own model timesteps (call by call) and recorded
 * noise draws: the latent the sampler hands the model at each call must be the one diffusers held after the call
 * before ({@code latents_after_stepNNN}, in sigma form), and the result its final latents. This isolates the
 * sampler from the generator and the timesteps, checks that it calls the model and draws noise exactly as often as
 * diffusers, and points at the first call where a difference appears.
 */
class RecordedRunTest {
    /** Relative to the latent's max |value|; a correct float32 replay stays near 1e-6. */
    private static final double TOLERANCE = 1e-4;
    private static final WorstErrors WORST = new WorstErrors("sampler replay, max relative error over runs",
            "any step", "final");
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
        WORST.print();
    }

    /** The 7-step runs: every sampler and schedule option, and both odd sizes (the 20-step runs go end to end). */
    static Stream<Run> runs() {
        return ReferenceRuns.all().stream().filter(run -> run.steps() == 7);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void replaysTheReferenceRun(Run run) {
        Sampler sampler = TestSamplers.sampler(run.sampler());
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny(run.file()));
             NDManager job = manager.newSubManager()) {
            Schedule schedule = Schedule.of(SchedulerConfig.parse(reference.metadata().get("scheduler_config")), run.steps());
            float[] timesteps = reference.floats("timesteps");
            int[] calls = {0};
            double[] worstStep = {0};
            GuidedDenoiser guided = new GuidedDenoiser(unet, reference.load("uncond", job).expandDims(0),
                    reference.load("cond", job).expandDims(0), run.cfg(), sigma -> timesteps[calls[0]]);
            Denoiser checked = (x, sigma) -> {
                int call = calls[0];
                assertTrue(call < timesteps.length, () -> run + ": more model calls than diffusers' " + timesteps.length);
                if (call > 0) {
                    float[] expected = reference.floats(String.format("latents_after_step%03d", call - 1));
                    float[] actual = x.div((float) schedule.latentForm().toSigmaForm(sigma)).toFloatArray();
                    double error = Parity.relativeError(expected, actual);
                    assertTrue(error <= TOLERANCE, () -> String.format("%s: relative error %.3g in the latent of model "
                            + "call %d (sigma %s), diffusers' latents_after_step%03d", run, error, call, sigma, call - 1));
                    worstStep[0] = Math.max(worstStep[0], error);
                }
                NDArray denoised = guided.denoise(x, sigma);
                calls[0]++;
                return denoised;
            };
            int[] draws = {1};
            NoiseSource recorded = (m, shape) -> {
                NDArray drawn = reference.load(String.format("noise%03d", draws[0]++), m);
                assertEquals(drawn.getShape(), shape, "shape of draw " + (draws[0] - 1));
                return drawn;
            };
            NDArray x = reference.load("initial_latents", job).mul((float) schedule.initNoiseSigma());
            NDArray out = sampler.sample(checked, x, schedule.sigmas(), recorded, Progress.NONE);

            assertEquals(timesteps.length, calls[0], "model calls");
            assertEquals(run.noiseDraws(), draws[0], "noise draws, the initial latents' included");
            double last = schedule.latentForm().toSigmaForm(schedule.sigmas().last());
            double finalError = Parity.assertClose(run + " final latents", reference.floats("final_latents"),
                    out.div((float) last).toFloatArray(), TOLERANCE);
            System.out.printf("replay %s: %d model calls, %d draws, max relative error over the calls' latents %.3g%n",
                    run, calls[0], draws[0], worstStep[0]);
            WORST.record(run.sampler(), 0, worstStep[0]);
            WORST.record(run.sampler(), 1, finalError);
        }
    }
}
