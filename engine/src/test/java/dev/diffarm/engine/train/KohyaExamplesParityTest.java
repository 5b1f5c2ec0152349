package dev.diffarm.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.random.TorchGenerator;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import dev.diffarm.engine.train.data.Bucketing;
import dev.diffarm.engine.train.data.CaptionRule;
import dev.diffarm.engine.train.data.DatasetSpec;
import dev.diffarm.engine.train.data.KohyaExamples;
import dev.diffarm.engine.train.data.PlanSettings;
import dev.diffarm.engine.train.data.Size;
import dev.diffarm.engine.train.data.TrainingData;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kohya pipeline, with the fixture's {@code train-data/} and no buckets, shuffle or flip, gives a run exactly
 * what {@link CachedExamples} (the plain folder reader) gives it: the same latents (bit for bit), captions and
 * order, and it leaves the run's generator where they leave it, so the noise and timesteps that follow are the same.
 */
class KohyaExamplesParityTest {
    private static StableDiffusion model;

    @BeforeAll
    static void load() {
        model = StableDiffusion.load(Fixtures.sdTiny("model"), Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void theFixtureFolderGivesTodaysLatentsCaptionsAndOrder() throws Exception {
        Path folder = Fixtures.sdTiny("train-data");
        TrainingData data = TrainingData.open(DatasetSpec.kohya(folder, Optional.empty(), ".txt", List.of(folder)),
                Bucketing.Settings.withoutBuckets(new Size(32, 32)),
                new PlanSettings(2, false, false, CaptionRule.AS_WRITTEN, 1361));
        TorchGenerator todaysGenerator = new TorchGenerator(1361);
        TorchGenerator kohyasGenerator = new TorchGenerator(1361);
        Draws todaysDraws = Draws.of(todaysGenerator);
        Draws kohyasDraws = Draws.of(kohyasGenerator);
        List<CaptionedImages.Example> images = CaptionedImages.read(folder);
        try (NDManager manager = NDManager.newBaseManager();
             KohyaExamples kohya = KohyaExamples.encode(data, model.vae(), kohyasDraws, manager)) {
            CachedExamples today = CachedExamples.encode(model, "train-data", images, false, todaysDraws, manager);
            assertArrayEquals(todaysGenerator.randn(2, 4, 16, 16), kohyasGenerator.randn(2, 4, 16, 16),
                    "the run's next draw after caching the latents");
            float[] firstEpoch = new float[0];
            double worst = 0;
            for (int k = 0; k < 12; k++) {
                TrainingExamples.Batch plain = today.next(2, todaysDraws, manager);
                TrainingExamples.Batch batch = kohya.next(2, kohyasDraws, manager);
                float[] expected = plain.latents().toFloatArray();
                float[] actual = batch.latents().toFloatArray();
                worst = Math.max(worst, maxAbs(expected, actual));
                assertArrayEquals(expected, actual, 0f, "latents of micro-batch " + k);
                assertEquals(plain.captions(), batch.captions(), "captions of micro-batch " + k);
                if (k < 2) {
                    firstEpoch = concat(firstEpoch, actual);
                }
            }
            System.out.printf("KohyaExamples vs CachedExamples, 12 micro-batches: max abs latent "
                    + "error %.3g%n", worst);
            try (SafetensorsFile run = SafetensorsFile.open(Fixtures.sdTiny("train-lora-run.safetensors"))) {
                double err = Parity.assertClose("KohyaExamples latents vs train-lora-run latents", run.floats("latents"),
                        firstEpoch, 1e-4);
                System.out.printf("KohyaExamples latents vs the fixture's latents: relative error %.3g%n", err);
            }
            assertArrayEquals(new long[] {6, 0}, kohya.position(), "12 batches of a 2-batch epoch: epoch 6, batch 0");
            assertEquals(4, kohya.images());
            assertEquals(Map.of("train-data", KohyaLoraFile.tagFrequency(
                    images.stream().map(CaptionedImages.Example::caption).toList())), kohya.tagFrequency(),
                    "ss_tag_frequency as the run writes it today");
        }
    }

    private static double maxAbs(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
