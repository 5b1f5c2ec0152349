package dev.diffarm.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diffarm.api.finetune.MicroBatch;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import dev.diffarm.engine.unet.UNet2DConditionModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One full-UNet DreamBooth step with prior preservation ({@code train-dreambooth-step.safetensors}) through the
 * {@code dreambooth} plugin and the engine's loop: the prediction,
 * the three losses, every one of the 304 gradient norms, the total, the eight recorded full gradients and the AdamW
 * update of those eight tensors; and that the UNet renders with its updated values afterwards.
 */
class DreamBoothStepParityTest {
    private static final double LR = 5e-6;
    private static final double EPS = 1e-8;
    private static SafetensorsFile step;
    private static JsonNode manifest;

    @BeforeAll
    static void open() throws IOException {
        step = SafetensorsFile.open(Fixtures.sdTiny("train-dreambooth-step.safetensors"));
        manifest = new ObjectMapper().readTree(Fixtures.sdTiny("manifest-train.json").toFile()).get("dreambooth_step");
    }

    @AfterAll
    static void close() {
        step.close();
    }

    private static StableDiffusion loadModel() {
        return StableDiffusion.load(Fixtures.sdTiny("model"), Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment());
    }

    private static List<String> watched() {
        List<String> names = new ArrayList<>();
        manifest.get("watched_params").forEach(n -> names.add(n.asText()));
        return names;
    }

    @Test
    void everyUNetTensorInTorchParameterOrder() {
        try (StableDiffusion model = loadModel()) {
            List<String> expected = new ArrayList<>();
            manifest.get("all_param_names_in_order").forEach(n -> expected.add(n.asText()));
            assertEquals(304, expected.size());
            assertEquals(expected, new ArrayList<>(model.unet().parameters().keySet()));
        }
    }

    /**
     * The backward pass as the {@code dreambooth} plugin computes it (the host's text encoding of the prompts, the
     * UNet's prediction, the prior-preservation loss): every piece against the reference.
     */
    @Test
    void predictionLossesAndGradients() {
        try (StableDiffusion model = loadModel(); NDManager manager = NDManager.newBaseManager();
             DreamBoothFixtureRun run = new DreamBoothFixtureRun(model, step, LR, manager)) {
            Map<String, NDArray> params = run.training.parameters();
            for (String name : watched()) {
                Parity.assertClose("param_before." + name, step.floats("param_before." + name),
                        params.get(name).toFloatArray(), 0);
            }
            NoiseObjective objective = DreamBoothFixtureRun.objective(model);
            long[] t = step.longs("timesteps");
            NDArray latents = step.load("latents", manager);
            NDArray noise = step.load("noise", manager);
            try (NDScope scope = new NDScope()) {
                MicroBatch batch = new MicroBatch(objective.addNoise(latents, noise, t), noise, t,
                        DreamBoothFixtureRun.CAPTIONS, 2);
                Parity.assertClose("noisy_latents", step.floats("noisy_latents"), batch.noisy().toFloatArray(), 1e-5);
                NDArray text = run.host.encode(DreamBoothFixtureRun.CAPTIONS);
                Parity.assertClose("encoder_hidden_states", step.floats("encoder_hidden_states"), text.toFloatArray(), 1e-4);
                NDArray pred = run.host.predict(batch.noisy(), t, text);
                Parity.assertClose("model_pred", step.floats("model_pred"), pred.toFloatArray(), 1e-4);
                Parity.assertClose("instance_loss", step.floats("instance_loss"), new float[] {objective.loss(
                        MicroBatch.head(pred, 2), MicroBatch.head(noise, 2), Arrays.copyOf(t, 2)).getFloat()}, 1e-4);
                Parity.assertClose("prior_loss", step.floats("prior_loss"), new float[] {objective.loss(
                        MicroBatch.tail(pred, 2), MicroBatch.tail(noise, 2), Arrays.copyOfRange(t, 2, 4)).getFloat()}, 1e-4);
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray loss = run.training.loss(batch, objective::loss);
                    collector.backward(loss);
                    Parity.assertClose("loss (the plugin's)", step.floats("loss"), new float[] {loss.getFloat()}, 1e-4);
                }
                float[] norms = new float[params.size()];
                int i = 0;
                for (NDArray p : params.values()) {
                    norms[i++] = p.getGradient().flatten().norm().getFloat();
                }
                Parity.assertClose("grad_norm_per_param [304]", step.floats("grad_norm_per_param"), norms, 1e-4);
                double worstGrad = 0;
                for (String name : watched()) {
                    worstGrad = Math.max(worstGrad, Parity.assertClose("grad." + name, step.floats("grad." + name),
                            params.get(name).getGradient().toFloatArray(), 1e-4));
                }
                System.out.printf("parity DreamBooth full gradients: worst relative error over 8 tensors %.3g%n", worstGrad);
            }
        }
    }

    /** The whole step through the engine's loop with the plugin: loss, total gradient norm, the AdamW update. */
    @Test
    void oneStepOfTheLoop() {
        try (StableDiffusion model = loadModel(); NDManager manager = NDManager.newBaseManager();
             DreamBoothFixtureRun run = new DreamBoothFixtureRun(model, step, LR, manager)) {
            StepReport report = run.loop.step();
            assertTrue(run.draws.exhausted(), "the step draws the noise and the timesteps, nothing else");
            Parity.assertClose("loss", step.floats("loss"), new float[] {(float) report.loss()}, 1e-4);
            Parity.assertClose("grad_norm", step.floats("grad_norm"), new float[] {report.gradNorm()}, 1e-4);
            compareUpdates(run.training.parameters(), step.floats("clip_coef")[0]);
        }
    }

    /**
     * A first AdamW step moves an element by {@code lr · (c·g / (|c·g| + ε) + wd·p)}, c the clip factor: its
     * derivative by the gradient, {@code c·ε / (|c·g| + ε)²}, reaches {@code c/ε} where {@code c·g} is near 0. Our
     * gradients differ from the reference by float32 rounding (about 1e-7 of each tensor's largest element: ~1e-9
     * absolute after clipping), which moves such elements by up to ~0.1 lr; the README measured 0.085 lr between
     * float64 and the reference for the same reason. So the whole update is held to 0.1 lr, and the elements whose
     * clipped gradient exceeds 1000 ε, where the derivative is below 1e-3 / ε, to 1e-3 lr.
     */
    private static void compareUpdates(Map<String, NDArray> params, float clipCoef) {
        double worstAll = 0;
        double worstAway = 0;
        for (String name : watched()) {
            float[] before = step.floats("param_before." + name);
            float[] expectedAfter = step.floats("param_after." + name);
            float[] grad = step.floats("grad." + name);
            float[] after = params.get(name).toFloatArray();
            for (int k = 0; k < before.length; k++) {
                double error = Math.abs(((double) after[k] - before[k]) - ((double) expectedAfter[k] - before[k])) / LR;
                worstAll = Math.max(worstAll, error);
                if (Math.abs(clipCoef * grad[k]) > 1000 * EPS) {
                    worstAway = Math.max(worstAway, error);
                }
            }
        }
        System.out.printf("parity DreamBooth update / lr: max abs error %.3g over all elements, %.3g where |c·g| > 1000 ε%n",
                worstAll, worstAway);
        assertTrue(worstAll <= 0.1, "update / lr differs by " + worstAll);
        assertTrue(worstAway <= 1e-3, "update / lr differs by " + worstAway + " where the gradient is far from 0");
    }

    /** The update rule alone, fed the reference's clipped gradients: AdamW is per tensor, so the eight suffice. */
    @Test
    void adamWStepFromTheReferenceGradients() {
        float clipCoef = step.floats("clip_coef")[0];
        try (NDManager manager = NDManager.newBaseManager()) {
            List<NDArray> params = new ArrayList<>();
            List<NDArray> grads = new ArrayList<>();
            for (String name : watched()) {
                params.add(step.load("param_before." + name, manager));
                grads.add(step.load("grad." + name, manager).mul(clipCoef));
            }
            try (AdamW adam = AdamW.withDefaults(params, manager)) {
                adam.step(params, grads, LR);
            }
            double worst = 0;
            for (int i = 0; i < params.size(); i++) {
                String name = watched().get(i);
                float[] before = step.floats("param_before." + name);
                float[] expected = step.floats("param_after." + name);
                float[] actual = params.get(i).toFloatArray();
                for (int k = 0; k < before.length; k++) {
                    worst = Math.max(worst, Math.abs(((double) actual[k] - before[k]) - ((double) expected[k] - before[k])) / LR);
                }
            }
            System.out.printf("parity DreamBooth AdamW from the reference gradients: update / lr max abs error %.3g%n", worst);
            assertTrue(worst <= 1e-2, "update / lr differs by " + worst);
        }
    }

    /**
     * After a step the UNet renders with its new values: the prepacked inference kernels are made anew, so inference
     * agrees with the plain differentiable path, and both moved away from the output before the step.
     */
    @Test
    void renderingAfterAnUpdateUsesTheUpdatedWeights() {
        try (StableDiffusion model = loadModel(); NDManager manager = NDManager.newBaseManager()) {
            UNet2DConditionModel unet = model.unet();
            NDArray text = step.load("encoder_hidden_states", manager);
            NDArray x = step.load("noisy_latents", manager);
            float[] before = inference(unet, x, text);
            try (DreamBoothFixtureRun run = new DreamBoothFixtureRun(model, step, 1e-3, manager)) {
                run.loop.step();
            }
            float[] after = inference(unet, x, text);
            float[] plain;
            try (NDScope scope = new NDScope(); GradientCollector recording = Engine.getInstance().newGradientCollector()) {
                plain = unet.forward(x, 500f, text).toFloatArray();
            }
            Parity.assertClose("inference after the update vs the plain path", plain, after, 1e-5);
            double moved = Parity.relativeError(before, after);
            System.out.printf("the step moved the UNet's output by %.3g (relative to its max)%n", moved);
            assertTrue(moved > 1e-3, "the update did not reach the rendered output: moved " + moved);
        }
    }

    private static float[] inference(UNet2DConditionModel unet, NDArray x, NDArray text) {
        try (NDScope scope = new NDScope()) {
            return unet.forward(x, 500f, text).toFloatArray();
        }
    }
}
