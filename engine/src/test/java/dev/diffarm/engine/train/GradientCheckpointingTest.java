package dev.diffarm.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.diffarm.api.finetune.MethodOptions;
import dev.diffarm.api.finetune.Training;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.random.TorchGenerator;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.TestSamplers;
import dev.diffarm.engine.unet.CheckpointedForward;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Gradient checkpointing changes no gradient: the UNet's steps recomputed in the backward pass give every trained
 * array the gradient of the plain recorded pass, for a LoRA on the text encoder and the UNet and for DreamBooth's whole
 * UNet and text encoder.
 */
class GradientCheckpointingTest {
    private static final List<String> CAPTIONS = List.of("zwx person", "zwx person in the park");

    @Test
    void loraOnTheTextEncoderAndTheUNetGetsTheSameGradients() {
        compare("lora", Map.of("network-dim", "4", "network-alpha", "4"));
    }

    @Test
    void dreamBoothWithTheTextEncoderGetsTheSameGradients() {
        compare("dreambooth", Map.of("train-text-encoder", "true"));
    }

    private static void compare(String method, Map<String, String> options) {
        Map<String, float[]> plain = gradients(method, options, false);
        Map<String, float[]> checkpointed = gradients(method, options, true);
        assertEquals(plain.keySet(), checkpointed.keySet());
        double worst = 0;
        double largest = 0;
        String worstName = "";
        for (Map.Entry<String, float[]> e : plain.entrySet()) {
            float[] a = e.getValue();
            float[] b = checkpointed.get(e.getKey());
            for (int i = 0; i < a.length; i++) {
                largest = Math.max(largest, Math.abs(a[i]));
                double d = Math.abs(a[i] - b[i]);
                if (d > worst || Double.isNaN(d)) {
                    worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                    worstName = e.getKey();
                }
            }
        }
        System.out.printf("gradient checkpointing, %s %s: %d gradients, max abs difference %.3g (at %s), largest "
                + "gradient %.3g%n", method, options, plain.size(), worst, worstName, largest);
        assertTrue(largest > 0, "some gradient is non-zero");
        assertTrue(worst <= 1e-6 * Math.max(1, largest), "checkpointed vs plain gradients: " + worst + " at " + worstName);
    }

    /** Every trained array's gradient after one micro-batch's backward pass, on a fresh model. */
    private static Map<String, float[]> gradients(String method, Map<String, String> options, boolean checkpointing) {
        try (StableDiffusion model = StableDiffusion.load(Fixtures.sdTiny("model"), Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment());
             NDManager manager = NDManager.newBaseManager()) {
            TinyBatch tiny = TinyBatch.of(model, manager, CAPTIONS, 0);
            Optional<CheckpointedForward> checkpoints = checkpointing ? Optional.of(new CheckpointedForward())
                    : Optional.empty();
            HostModel host = new HostModel(model, new TorchGenerator(9), manager, checkpoints);
            Map<String, float[]> out = new LinkedHashMap<>();
            try (Training training = TestSamplers.plugins().fineTuneMethods().named(method).start(host,
                    new MethodOptions(options), manager)) {
                if (method.equals("lora")) {
                    // B starts at zero, which would leave A without a gradient: give B values, the same in both runs
                    TorchGenerator values = new TorchGenerator(21);
                    training.parameters().forEach((name, p) -> {
                        if (name.endsWith(".up")) {
                            p.set(values.next(manager, p.getShape()).mul(0.05f).toFloatArray());
                        }
                    });
                }
                training.beforeStep();
                try (NDScope scope = new NDScope();
                     GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    collector.backward(training.loss(tiny.batch(), tiny.objective()::loss));
                    checkpoints.ifPresent(CheckpointedForward::backward);
                    training.parameters().forEach((name, p) -> out.put(name, p.getGradient().toFloatArray()));
                    training.parameters().values().forEach(p -> JniUtils.zeroGrad((PtNDArray) p));
                } finally {
                    training.afterStep();
                }
            }
            return out;
        }
    }
}
