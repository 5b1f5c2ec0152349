package dev.diffarm.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.diffarm.api.conformance.FineTuneConformance;
import dev.diffarm.api.finetune.MethodOptions;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.TestSamplers;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fine-tune conformance kit on each of the three plugins diffarm ships, loaded through PF4J from the built jars,
 * on the tiny model with two images of {@code train-data/} (a fresh model for each: DreamBooth changes the UNet).
 */
class FineTuneConformanceTest {
    @TempDir
    Path dir;

    @Test
    void lora() {
        check("lora", Map.of("network-dim", "4", "network-alpha", "4", "network-train-unet-only", "true"), List.of("zwx person", "zwx person in the park"), 0);
    }

    /** kohya's LoRA on the text encoder alone: its gradients come through the UNet and the text encoder. */
    @Test
    void loraOnTheTextEncoder() {
        check("lora", Map.of("network-dim", "4", "network-alpha", "4", "network-train-text-encoder-only", "true"),
                List.of("zwx person", "zwx person in the park"), 0);
    }

    /** kohya's default LoRA: the text encoder's and the UNet's modules, each group at its own learning rate. */
    @Test
    void loraOnTheTextEncoderAndTheUNet() {
        check("lora", Map.of("network-dim", "2", "network-alpha", "1", "text-encoder-lr", "5e-5", "unet-lr", "1e-4"),
                List.of("zwx person", "zwx person in the park"), 0);
    }

    @Test
    void loraOnChosenLayersWithPriorPreservation() {
        check("lora", Map.of("network-dim", "2", "network-alpha", "1", "lora-targets", "to_q,to_v", "prior-loss-weight",
                "0.5"), List.of("a photo of zwx person", "a photo of a person"), 1);
    }

    @Test
    void dreamBoothWithPriorPreservation() {
        check("dreambooth", Map.of("prior-loss-weight", "1.0"), List.of("a photo of zwx person", "a photo of a person"), 1);
    }

    /** DreamBooth with diffusers' --train_text_encoder: the UNet and the whole text encoder, saved in one checkpoint. */
    @Test
    void dreamBoothWithTheTextEncoder() {
        check("dreambooth", Map.of("train-text-encoder", "true"), List.of("a photo of zwx person", "zwx person"), 0);
    }

    @Test
    void textualInversion() {
        check("textual-inversion", Map.of("token", "<zwx>", "init-token", "person", "num-vectors", "2"),
                List.of("a photo of <zwx>", "<zwx> in the park"), 0);
    }

    private void check(String method, Map<String, String> options, List<String> captions, int priorExamples) {
        try (StableDiffusion model = StableDiffusion.load(Fixtures.sdTiny("model"), Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment());
             NDManager manager = NDManager.newBaseManager()) {
            TinyBatch tiny = TinyBatch.of(model, manager, captions, priorExamples);
            FineTuneConformance.Setup setup = new FineTuneConformance.Setup(new HostModel(model, tiny.generator(),
                    manager), manager, tiny.batch(), tiny.objective()::loss);
            FineTuneConformance.Report report = FineTuneConformance.of(
                    TestSamplers.plugins().fineTuneMethods().named(method), new MethodOptions(options))
                    .check(setup, 6, 5, 1e-2, dir);
            System.out.println("conformance " + report);
            assertEquals(6, report.gradientsChecked(), report.toString());
            assertTrue(report.lossAfter() < report.lossBefore(), report.toString());
        }
    }
}
