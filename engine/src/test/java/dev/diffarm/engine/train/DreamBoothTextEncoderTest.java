package dev.diffarm.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.diffarm.api.finetune.MethodOptions;
import dev.diffarm.api.finetune.Training;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.random.TorchGenerator;
import dev.diffarm.engine.schedule.TrainingSchedule;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import dev.diffarm.engine.testing.TestSamplers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DreamBooth with diffusers' {@code --train_text_encoder}: the text encoder learns with the UNet, and the single-file
 * checkpoint holds the trained text encoder, which loads back as it was trained.
 */
class DreamBoothTextEncoderTest {
    private static final List<String> PROMPT = List.of("a photo of zwx person");

    @TempDir
    Path dir;

    private static StableDiffusion load(Path model, Optional<Path> configDir) {
        return StableDiffusion.load(model, configDir, Optional.empty(), TokenizerLocator.fromEnvironment());
    }

    @Test
    void theCheckpointHoldsTheTrainedTextEncoderAndLoadsBack() throws IOException {
        Path base = Fixtures.sdTiny("model");
        Path out = dir.resolve("zwx-te.safetensors");
        Map<String, float[]> trained = new HashMap<>();
        float[] trainedEncoding;
        int trainedArrays;
        try (StableDiffusion model = load(base, Optional.empty()); NDManager manager = NDManager.newBaseManager()) {
            Map<String, float[]> before = new HashMap<>();
            model.textModel().parameters().forEach((k, v) -> before.put(k, v.toFloatArray()));
            TrainingSettings settings = new TrainingSettings(1e-3, LrSchedule.CONSTANT, 0, 2, 2, 1, 1.0, 3, false,
                    NoiseObjective.Prediction.EPSILON, OptionalDouble.empty(), 0);
            Draws draws = Draws.of(new TorchGenerator(3));
            CachedExamples examples = CachedExamples.encode(model, "train-data",
                    CaptionedImages.read(Fixtures.sdTiny("train-data"), Optional.of(PROMPT.get(0))), false, draws,
                    manager);
            NoiseObjective objective = new NoiseObjective(NoiseObjective.Prediction.EPSILON, OptionalDouble.empty(),
                    TrainingSchedule.of(model.schedulerConfig("DDPMScheduler", Map.of())).alphasCumprod());
            HostModel host = new HostModel(model, new TorchGenerator(4), manager);
            try (Training dreambooth = dreambooth().start(host,
                    new MethodOptions(Map.of("train-text-encoder", "true")), manager);
                 FineTuneLoop loop = new FineTuneLoop(dreambooth, examples, false, settings, objective, draws, 1000,
                         manager)) {
                trainedArrays = dreambooth.parameters().size();
                while (!loop.finished()) {
                    loop.step();
                }
                dreambooth.save(out, Map.of("diffarm_dreambooth", "zwx person"));
            }
            double moved = 0;
            for (Map.Entry<String, NDArray> e : model.textModel().parameters().entrySet()) {
                trained.put(e.getKey(), e.getValue().toFloatArray());
                moved = Math.max(moved, maxAbs(before.get(e.getKey()), trained.get(e.getKey())));
            }
            System.out.printf("dreambooth --train_text_encoder: %d trained arrays (UNet and text encoder); the text "
                    + "encoder's tensors moved by up to %.3g%n", trainedArrays, moved);
            assertEquals(model.unet().parameters().size() + model.textModel().parameters().size(), trainedArrays);
            assertTrue(moved > 1e-4, "two steps at lr 1e-3 move the text encoder: " + moved);
            try (NDScope scope = new NDScope()) {
                trainedEncoding = host.encode(PROMPT).toFloatArray();
            }
        }
        try (StableDiffusion reloaded = load(out, Optional.of(base)); StableDiffusion original = load(base, Optional.empty());
             NDManager manager = NDManager.newBaseManager()) {
            double fromBase = 0;
            for (Map.Entry<String, NDArray> e : reloaded.textModel().parameters().entrySet()) {
                assertArrayEquals(trained.get(e.getKey()), e.getValue().toFloatArray(), "reloaded " + e.getKey());
                fromBase = Math.max(fromBase, maxAbs(
                        original.textModel().parameters().get(e.getKey()).toFloatArray(), e.getValue().toFloatArray()));
            }
            assertTrue(fromBase > 1e-4, "the checkpoint's text encoder is not the base model's: " + fromBase);
            float[] reloadedEncoding;
            try (NDScope scope = new NDScope()) {
                reloadedEncoding = new HostModel(reloaded, new TorchGenerator(0), manager).encode(PROMPT).toFloatArray();
            }
            Parity.assertClose("the reloaded checkpoint's text encoding vs the trained model's", trainedEncoding,
                    reloadedEncoding, 0);
            System.out.printf("checkpoint's text encoder: %d tensors equal to the trained ones bit for bit, up to %.3g "
                    + "from the base model's%n", reloaded.textModel().parameters().size(), fromBase);
        }
    }

    private static dev.diffarm.api.finetune.FineTuneMethod dreambooth() {
        return TestSamplers.plugins().fineTuneMethods().named("dreambooth");
    }

    private static double maxAbs(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }

    @Test
    void aBadTrainTextEncoderValueIsRefusedNamingTheOption() {
        try (StableDiffusion model = load(Fixtures.sdTiny("model"), Optional.empty());
             NDManager manager = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dreambooth().start(new HostModel(model, new TorchGenerator(0), manager),
                            new MethodOptions(Map.of("train-text-encoder", "yes")), manager));
            assertTrue(e.getMessage().startsWith("--train-text-encoder:"), e.getMessage());
        }
    }
}
