package dev.diffarm.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.diffarm.api.finetune.FineTuneMethod;
import dev.diffarm.api.finetune.MethodOptions;
import dev.diffarm.api.finetune.Training;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.random.TorchGenerator;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.schedule.TrainingSchedule;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import dev.diffarm.engine.testing.TestSamplers;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fixture's six-step LoRA run ({@code train-lora-run.safetensors}: peft LoRA r 4 on every attention projection,
 * batch 2, accumulation 2, cosine schedule with 2 warm-up steps, lr 1e-3, clipping at 1.0, AdamW), once from its
 * recorded draws and once from the seed alone with the images and captions of {@code train-data/}.
 */
class LoraRunParityTest {
    static final TrainingSettings RUN = new TrainingSettings(1e-3, LrSchedule.COSINE, 2, 6, 2, 2, 1.0, 1361, false,
            NoiseObjective.Prediction.EPSILON, OptionalDouble.empty(), 0);
    private static StableDiffusion model;
    private static SafetensorsFile run;
    private static NDManager manager;

    @BeforeAll
    static void load() {
        model = StableDiffusion.load(Fixtures.sdTiny("model"), Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment());
        run = SafetensorsFile.open(Fixtures.sdTiny("train-lora-run.safetensors"));
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
        run.close();
        model.close();
    }

    /** The run's starting LoRA, from the peft names of {@code lora_init.*}. */
    static List<LoraNetwork.Start> initialLora(SafetensorsFile file, String prefix, NDManager manager) {
        List<LoraNetwork.Start> starts = new ArrayList<>();
        for (String name : file.names()) {
            if (name.startsWith(prefix) && name.endsWith(".lora_A.default.weight")) {
                String path = name.substring(prefix.length(), name.length() - ".lora_A.default.weight".length());
                starts.add(new LoraNetwork.Start(path, file.load(name, manager),
                        file.load(prefix + path + ".lora_B.default.weight", manager), 4f));
            }
        }
        return starts;
    }

    static String peftName(String path, boolean down) {
        return path + (down ? ".lora_A.default.weight" : ".lora_B.default.weight");
    }

    @Test
    void theTrainingScheduleIsTheRecordedOne() {
        float[] abar = TrainingSchedule.of(model.schedulerConfig("DDPMScheduler", java.util.Map.of())).alphasCumprod();
        Parity.assertClose("alphas_cumprod", run.floats("alphas_cumprod"), abar, 0);
    }

    @Test
    void theGeneratorDrawsWhatTheRunRecorded() {
        TorchGenerator generator = new TorchGenerator(1361);
        assertArrayEquals(run.floats("posterior_eps"), generator.randn(4, 4, 16, 16), "posterior_eps");
        for (int k = 0; k < 12; k++) {
            String n = String.format("%03d", k);
            assertArrayEquals(run.floats("noise_" + n), generator.randn(2, 4, 16, 16), "noise_" + n);
            assertArrayEquals(run.longs("timesteps_" + n), generator.randint(0, 1000, 2), "timesteps_" + n);
        }
    }

    @Test
    void theImagesAndCaptionsOfTheFolderAreTheRunsInputs() {
        List<CaptionedImages.Example> examples = CaptionedImages.read(Fixtures.sdTiny("train-data"));
        assertEquals(4, examples.size());
        float[] images = run.floats("images");
        int per = images.length / 4;
        long[] ids = run.longs("input_ids");
        for (int i = 0; i < 4; i++) {
            float[] expected = java.util.Arrays.copyOfRange(images, i * per, (i + 1) * per);
            NDArray normalized = examples.get(i).image().toNDArray(manager).sub(0.5f).div(0.5f);
            assertArrayEquals(expected, normalized.toFloatArray(), "image " + i);
            int[] tokens = model.tokenizer().encodeTruncated(examples.get(i).caption());
            assertArrayEquals(java.util.Arrays.copyOfRange(ids, i * 77, (i + 1) * 77),
                    java.util.Arrays.stream(tokens).asLongStream().toArray(), "input_ids " + i);
        }
    }

    @Test
    void sixStepsFromTheRecordedDraws() {
        RecordedDraws draws = new RecordedDraws().normal(run, "posterior_eps");
        for (int k = 0; k < 12; k++) {
            String n = String.format("%03d", k);
            draws.normal(run, "noise_" + n).integers(run, "timesteps_" + n);
        }
        checkRun(draws, "recorded draws");
        assertTrue(draws.exhausted(), "the run used every recorded draw");
    }

    @Test
    void sixStepsFromTheSeedAlone() {
        checkRun(Draws.of(new TorchGenerator(1361)), "seed 1361");
    }

    /** Nothing a step allocates outlives it: the arrays held by the run's managers are as many after 12 steps as after 2. */
    @Test
    void stepsLeaveNoArraysBehind() {
        TrainingSettings twelve = new TrainingSettings(1e-3, LrSchedule.CONSTANT, 0, 12, 2, 2, 1.0, 7, true,
                NoiseObjective.Prediction.EPSILON, OptionalDouble.of(5.0), 0.05);
        try (NDManager scope = manager.newSubManager()) {
            Draws draws = Draws.of(new TorchGenerator(7));
            CachedExamples examples = CachedExamples.encode(model, "train-data",
                    CaptionedImages.read(Fixtures.sdTiny("train-data")), true, draws, scope);
            NoiseObjective objective = new NoiseObjective(NoiseObjective.Prediction.EPSILON, OptionalDouble.of(5.0),
                    run.floats("alphas_cumprod"));
            MethodOptions fresh = new MethodOptions(java.util.Map.of("network-dim", "4", "network-alpha", "4"));
            try (Training lora = lora().start(new HostModel(model, new TorchGenerator(8), scope), fresh, scope);
                 FineTuneLoop trainer = new FineTuneLoop(lora, examples, false, twelve, objective, draws, 1000, scope)) {
                trainer.step();
                trainer.step();
                int after2 = countArrays(scope);
                while (!trainer.finished()) {
                    StepReport report = trainer.step();
                    assertTrue(Double.isFinite(report.loss()) && Float.isFinite(report.gradNorm()), "finite step " + report);
                }
                assertEquals(after2, countArrays(scope), "arrays held after 2 and after 12 steps");
                assertEquals((5 * 6 + 6 * 10) * 2, lora.parameters().size(), "kohya's default: the text encoder's 5 layers"
                        + " x 6 linear layers (q, k, v, out, fc1, fc2), and on this UNet 6 transformer blocks (2 down,"
                        + " 1 mid, 3 up) x 10 linear layers (q, k, v, out of two attentions; two feed-forward), x A, B");
            }
        }
    }

    static FineTuneMethod lora() {
        return TestSamplers.plugins().fineTuneMethods().named("lora");
    }

    private static int countArrays(NDManager manager) {
        return manager.getManagedArrays().size();
    }

    /**
     * The trained LoRA, attached unmerged and saved as a kohya file that the render path loads and fuses, changes the
     * UNet as the reference's trained LoRA does ({@code check.unet_out_t500}, {@code check.unet_out_t500_fused}).
     */
    @Test
    void theTrainedLoraLoadsInTheRenderPath(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        try (NDManager scope = manager.newSubManager();
             SafetensorsFile unetVae = SafetensorsFile.open(Fixtures.sdTiny("unet-vae.safetensors"));
             LoraNetwork lora = LoraNetwork.of(model.unetLayers(), initialLora(run, "after_step6.", scope), scope)) {
            NDArray latent = unetVae.load("unet.latent", scope);
            NDArray context = unetVae.load("unet.context", scope);
            lora.attach();
            float[] unfused = model.unet().forward(latent, 500f, context).toFloatArray();
            lora.detach();
            Parity.assertClose("trained LoRA unmerged, unet_out_t500", run.floats("check.unet_out_t500"), unfused, 1e-4);

            java.nio.file.Path file = dir.resolve("trained.safetensors");
            KohyaLoraFile.write(lora, new KohyaLoraFile.Description("trained", "sd_v1", RUN, java.util.Map.of(), 4), file);
            try (dev.diffarm.engine.lora.LoraWeights weights = dev.diffarm.engine.lora.LoraWeights.read(file)) {
                dev.diffarm.engine.lora.BoundLora bound = dev.diffarm.engine.lora.LoraTargets.of(model).bind(weights);
                assertEquals(List.of(), bound.unmatchedKeys(), "every key names a layer");
                try (dev.diffarm.engine.lora.FusedLoras fused = dev.diffarm.engine.lora.FusedLoras.fuse(
                        List.of(new dev.diffarm.engine.lora.WeightedLora(bound, 1.0)))) {
                    assertEquals(48, fused.updatedLayers());
                    Parity.assertClose("trained LoRA through the render path (fused), unet_out_t500",
                            run.floats("check.unet_out_t500_fused"),
                            model.unet().forward(latent, 500f, context).toFloatArray(), 1e-4);
                }
            }
        }
    }

    private void checkRun(Draws draws, String label) {
        try (NDManager scope = manager.newSubManager()) {
            List<CaptionedImages.Example> images = CaptionedImages.read(Fixtures.sdTiny("train-data"));
            CachedExamples examples = CachedExamples.encode(model, "train-data", images, false, draws, scope);
            Parity.assertClose(label + " latents", run.floats("latents"), examples.latents().toFloatArray(), 1e-4);
            HostModel host = new HostModel(model, new TorchGenerator(0), scope);
            Parity.assertClose(label + " encoder_hidden_states", run.floats("encoder_hidden_states"),
                    host.encode(images.stream().map(CaptionedImages.Example::caption).toList()).toFloatArray(), 1e-4);
            float[] abar = run.floats("alphas_cumprod");
            NoiseObjective objective = new NoiseObjective(NoiseObjective.Prediction.EPSILON, OptionalDouble.empty(), abar);
            MethodOptions start = new MethodOptions(java.util.Map.of("network-weights",
                    Fixtures.sdTiny("train-lora-run-init-kohya.safetensors").toString()));
            try (Training lora = lora().start(host, start, scope);
                 FineTuneLoop trainer = new FineTuneLoop(lora, examples, false, RUN, objective, draws, 1000, scope)) {
                assertEquals(96, lora.parameters().size(), "48 layers, A and B each");
                float[] microLoss = new float[12];
                float[] stepLoss = new float[6];
                float[] lr = new float[6];
                float[] gradNorm = new float[6];
                while (!trainer.finished()) {
                    StepReport report = trainer.step();
                    int s = (int) report.step() - 1;
                    System.out.printf("%s step %d: loss %.7f (micro %s), lr %.6g, grad_norm %.7f%n", label, report.step(),
                            report.loss(), java.util.Arrays.toString(report.microLosses()), report.lr(), report.gradNorm());
                    System.arraycopy(report.microLosses(), 0, microLoss, 2 * s, 2);
                    stepLoss[s] = (float) report.loss();
                    lr[s] = (float) report.lr();
                    gradNorm[s] = report.gradNorm();
                    if (report.step() == 3) {
                        compareLora(lora.parameters(), "after_step3.", label);
                    }
                }
                Parity.assertClose(label + " micro_loss", run.floats("micro_loss"), microLoss, 1e-4);
                Parity.assertClose(label + " step_loss", run.floats("step_loss"), stepLoss, 1e-4);
                Parity.assertClose(label + " lr", run.floats("lr"), lr, 1e-7);
                Parity.assertClose(label + " grad_norm", run.floats("grad_norm"), gradNorm, 1e-4);
                compareLora(lora.parameters(), "after_step6.", label);
            }
        }
    }

    /** The trained arrays ({@code <layer>.down}, {@code <layer>.up}) against the reference's peft arrays under {@code prefix}. */
    static void compareLora(java.util.Map<String, NDArray> params, String prefix, String label) {
        double worst = 0;
        String worstKey = "";
        for (java.util.Map.Entry<String, NDArray> e : params.entrySet()) {
            boolean down = e.getKey().endsWith(".down");
            String path = e.getKey().substring(0, e.getKey().lastIndexOf('.'));
            String key = prefix + peftName(path, down);
            double err = Parity.relativeError(run.floats(key), e.getValue().toFloatArray());
            if (err > worst) {
                worst = err;
                worstKey = key;
            }
        }
        System.out.printf("parity %s %s*: worst relative error over %d tensors %.3g (%s)%n", label, prefix, params.size(),
                worst, worstKey);
        assertTrue(worst <= 1e-4, label + " " + prefix + ": relative error " + worst);
    }
}
