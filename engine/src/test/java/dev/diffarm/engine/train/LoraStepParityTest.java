package dev.diffarm.engine.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One peft LoRA training step on the UNet ({@code train-lora-step.safetensors}): the noisy input, the prediction, the
 * loss and every LoRA gradient; DreamBooth's prior preservation at weights 1.0 and 0.5 on the same batch; one AdamW
 * step.
 */
class LoraStepParityTest {
    private static StableDiffusion model;
    private static SafetensorsFile step;

    @BeforeAll
    static void load() {
        model = StableDiffusion.load(Fixtures.sdTiny("model"), Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment());
        step = SafetensorsFile.open(Fixtures.sdTiny("train-lora-step.safetensors"));
    }

    @AfterAll
    static void close() {
        step.close();
        model.close();
    }

    @Test
    void predictionLossGradientsPriorPreservationAndAdamW() {
        try (NDManager manager = NDManager.newBaseManager();
             LoraNetwork lora = LoraNetwork.of(model.unetLayers(),
                     LoraRunParityTest.initialLora(step, "lora_init.", manager), manager)) {
            NoiseObjective objective = new NoiseObjective(NoiseObjective.Prediction.EPSILON, OptionalDouble.empty(),
                    dev.diffarm.engine.schedule.TrainingSchedule.of(model.schedulerConfig("DDPMScheduler",
                            java.util.Map.of())).alphasCumprod());
            NDArray latents = step.load("latents", manager);
            NDArray noise = step.load("noise", manager);
            NDArray text = step.load("encoder_hidden_states", manager);
            long[] timesteps = step.longs("timesteps");
            NDArray noisy = objective.addNoise(latents, noise, timesteps);
            Parity.assertClose("noisy_latents", step.floats("noisy_latents"), noisy.toFloatArray(), 1e-6);

            lora.attach();
            try {
                float[] pred = backward(lora, noisy, timesteps, text, p -> objective.loss(p, noise, timesteps),
                        "loss", "loss", "grad.");
                Parity.assertClose("model_pred", step.floats("model_pred"), pred, 1e-4);
                backward(lora, noisy, timesteps, text,
                        p -> objective.priorPreservationLoss(p, noise, timesteps, 1.0).total(), "prior 1.0", "prior.loss",
                        "prior.grad.");
                backward(lora, noisy, timesteps, text,
                        p -> objective.priorPreservationLoss(p, noise, timesteps, 0.5).total(), "prior 0.5",
                        "prior_w0.5.loss", "prior_w0.5.grad.");
                NoiseObjective.PriorPreservation parts = objective.priorPreservationLoss(
                        model.unet().forward(noisy, HostModel.asFloats(timesteps), text), noise, timesteps, 1.0);
                Parity.assertClose("prior.instance_loss", step.floats("prior.instance_loss"),
                        new float[] {parts.instance().getFloat()}, 1e-4);
                Parity.assertClose("prior.class_loss", step.floats("prior.class_loss"),
                        new float[] {parts.prior().getFloat()}, 1e-4);

                // The optimizer is fed the reference's gradients: a first Adam step moves each weight by about
                // lr · sign(g), so a gradient element within rounding of 0 could flip its whole update.
                try (AdamW adam = AdamW.withDefaults(lora.parameters(), manager)) {
                    adam.step(lora.parameters(), referenceGradients(lora, manager), 1e-4);
                }
                compare(lora, "adamw_step1.", Function.identity(), "AdamW step");
            } finally {
                lora.detach();
            }
        }
    }

    /** Runs forward and backward of {@code loss}, compares the loss and the gradients, zeroes them; returns the prediction. */
    private static float[] backward(LoraNetwork lora, NDArray noisy, long[] timesteps, NDArray text,
                                    Function<NDArray, NDArray> loss, String label, String lossKey, String gradPrefix) {
        float[] pred;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray p = model.unet().forward(noisy, HostModel.asFloats(timesteps), text);
            NDArray l = loss.apply(p);
            collector.backward(l);
            pred = p.toFloatArray();
            Parity.assertClose(label + " " + lossKey, step.floats(lossKey), new float[] {l.getFloat()}, 1e-4);
        }
        compare(lora, gradPrefix, NDArray::getGradient, label + " gradients");
        for (NDArray p : lora.parameters()) {
            JniUtils.zeroGrad((PtNDArray) p);
        }
        return pred;
    }

    /** The recorded gradients {@code grad.*}, in the network's parameter order. */
    private static List<NDArray> referenceGradients(LoraNetwork lora, NDManager manager) {
        List<NDArray> out = new ArrayList<>();
        for (String path : lora.paths()) {
            out.add(step.load("grad." + LoraRunParityTest.peftName(path, true), manager));
            out.add(step.load("grad." + LoraRunParityTest.peftName(path, false), manager));
        }
        return out;
    }

    private static void compare(LoraNetwork lora, String prefix, Function<NDArray, NDArray> of, String label) {
        double worst = 0;
        List<NDArray> params = lora.parameters();
        List<String> paths = lora.paths();
        for (int i = 0; i < paths.size(); i++) {
            for (int half = 0; half < 2; half++) {
                String key = prefix + LoraRunParityTest.peftName(paths.get(i), half == 0);
                worst = Math.max(worst, Parity.relativeError(step.floats(key), of.apply(params.get(2 * i + half)).toFloatArray()));
            }
        }
        System.out.printf("parity %s (%s*): worst relative error over %d tensors %.3g%n", label, prefix, params.size(), worst);
        org.junit.jupiter.api.Assertions.assertTrue(worst <= 1e-4, label + ": relative error " + worst);
    }
}
