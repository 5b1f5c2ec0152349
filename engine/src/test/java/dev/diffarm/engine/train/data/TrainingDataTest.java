package dev.diffarm.engine.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingDataTest {
    @TempDir
    Path root;

    /** The fixture's run: name order, batches [img0, img1] and [img2, img3], pixels equal to its {@code images}. */
    @Test
    void fixtureFolderWithoutShuffleGivesTheRunsBatches() throws IOException {
        Path data = SharedTrainFixtures.sdTiny("train-data");
        float[] images = SharedTrainFixtures.runImages();
        TrainingData training = TrainingData.open(
                DatasetSpec.kohya(data, Optional.empty(), ".txt", List.of(data)),
                Bucketing.Settings.withoutBuckets(new Size(32, 32)),
                new PlanSettings(2, false, false, CaptionRule.AS_WRITTEN, 1361));
        assertEquals(2, training.batchesPerEpoch());
        int per = 3 * 32 * 32;
        for (int epoch = 0; epoch < 3; epoch++) {
            for (int b = 0; b < 2; b++) {
                PlannedBatch batch = training.batchAt(new DataCursor(epoch, b));
                assertEquals(new Size(32, 32), batch.bucket());
                for (int k = 0; k < 2; k++) {
                    PlannedExample planned = batch.examples().get(k);
                    int i = 2 * b + k;
                    assertEquals("img" + i + ".png", planned.image().file().getFileName().toString());
                    assertEquals(Files.readString(data.resolve("img" + i + ".txt")).strip(), planned.caption());
                    TrainingExample example = training.load(planned);
                    assertArrayEquals(Arrays.copyOfRange(images, i * per, (i + 1) * per), example.pixels(), 0f);
                    assertEquals(Resample.NONE, planned.assignment().resample());
                }
            }
        }
        assertEquals(4, training.dataset().images().size());
    }

    @Test
    void shuffledEpochsUseEveryExampleOnceNeverMixBucketsAndDependOnlyOnSeedAndEpoch() throws IOException {
        Path train = Files.createDirectories(root.resolve("train"));
        Path wide = Files.createDirectories(train.resolve("3_wide"));
        Path tall = Files.createDirectories(train.resolve("2_tall"));
        for (int i = 0; i < 5; i++) {
            DatasetScannerTest.image(wide.resolve("w" + i + ".png"), 128, 64);
        }
        for (int i = 0; i < 4; i++) {
            DatasetScannerTest.image(tall.resolve("t" + i + ".png"), 64, 128);
            Files.writeString(tall.resolve("t" + i + ".txt"), "tall, tag" + i + ", extra");
        }
        DatasetSpec spec = DatasetSpec.kohya(train, Optional.empty(), ".txt", List.of(root));
        Bucketing.Settings buckets = new Bucketing.Settings(new Size(96, 96), true, 64, 128, 32, false);
        PlanSettings settings = new PlanSettings(4, true, true, new CaptionRule(true, 1, 0.0, 0.0, ","), 42);
        TrainingData data = TrainingData.open(spec, buckets, settings);
        assertEquals(Map.of(new Size(64, 128), 8, new Size(128, 64), 15), data.bucketCounts());
        assertEquals(2 + 4, data.batchesPerEpoch());

        List<String> firstOrders = new ArrayList<>();
        for (int epoch = 0; epoch < 3; epoch++) {
            Map<String, Integer> uses = new HashMap<>();
            StringBuilder order = new StringBuilder();
            for (PlannedBatch batch : data.epoch(epoch).batches()) {
                for (PlannedExample e : batch.examples()) {
                    assertEquals(batch.bucket(), e.assignment().bucket(), "a batch mixes buckets");
                    uses.merge(e.image().file().getFileName().toString(), 1, Integer::sum);
                    order.append(e.image().file().getFileName()).append(e.flipped() ? "f " : " ");
                    if (e.image().folder().equals("2_tall")) {
                        assertTrue(e.caption().startsWith("tall, "), e.caption());
                    }
                }
            }
            for (int i = 0; i < 5; i++) {
                assertEquals(3, uses.get("w" + i + ".png"));
            }
            for (int i = 0; i < 4; i++) {
                assertEquals(2, uses.get("t" + i + ".png"));
            }
            firstOrders.add(order.toString());
        }
        assertNotEquals(firstOrders.get(0), firstOrders.get(1));
        TrainingData reopened = TrainingData.open(spec, buckets, settings);
        assertEquals(data.epoch(1), reopened.epoch(1), "epoch 1's plan depends on nothing before it");
        TrainingData otherSeed = TrainingData.open(spec, buckets,
                new PlanSettings(4, true, true, new CaptionRule(true, 1, 0.0, 0.0, ","), 43));
        assertNotEquals(data.epoch(1), otherSeed.epoch(1));
    }

    @Test
    void resumingAtACursorGivesTheSameBatchesAsRunningOn() throws IOException {
        Path train = Files.createDirectories(root.resolve("5_x"));
        for (int i = 0; i < 3; i++) {
            DatasetScannerTest.image(train.resolve("i" + i + ".png"), 48, 48);
        }
        DatasetSpec spec = DatasetSpec.kohya(root, Optional.empty(), ".txt", List.of(root));
        Bucketing.Settings buckets = Bucketing.Settings.withoutBuckets(new Size(64, 64));
        PlanSettings settings = new PlanSettings(2, true, true, CaptionRule.AS_WRITTEN, 5);
        TrainingData uninterrupted = TrainingData.open(spec, buckets, settings);
        List<PlannedBatch> all = new ArrayList<>();
        DataCursor at = DataCursor.START;
        for (int step = 0; step < 20; step++) {
            all.add(uninterrupted.batchAt(at));
            at = uninterrupted.next(at);
        }
        DataCursor saved = new DataCursor(1, 3);
        TrainingData resumed = TrainingData.open(spec, buckets, settings);
        at = saved;
        for (int step = 8 + 3; step < 20; step++) {
            assertEquals(all.get(step), resumed.batchAt(at), "batch " + step);
            at = resumed.next(at);
        }
        assertThrows(IllegalArgumentException.class, () -> resumed.batchAt(new DataCursor(0, 8)));
    }

    @Test
    void flippedExamplesAreTheMirrorOfTheUnflipped() throws IOException {
        DatasetScannerTest.image(root.resolve("a.png"), 80, 48);
        DatasetSpec spec = DatasetSpec.kohya(root, Optional.empty(), ".txt", List.of(root));
        TrainingData data = TrainingData.open(spec, new Bucketing.Settings(new Size(64, 64), true, 32, 128, 16, false),
                new PlanSettings(1, false, false, CaptionRule.AS_WRITTEN, 0));
        BucketAssignment a = data.assignment(0);
        assertEquals(new Size(80, 48), a.bucket());
        float[] plain = data.pixels(0, false);
        float[] mirrored = data.pixels(0, true);
        int w = 80;
        int h = 48;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y += 7) {
                for (int x = 0; x < w; x += 5) {
                    assertEquals(plain[(c * h + y) * w + x], mirrored[(c * h + y) * w + (w - 1 - x)]);
                }
            }
        }
    }

    @Test
    void anImageKohyaCannotBucketIsRefusedNamingFileAndSize() throws IOException {
        DatasetScannerTest.image(root.resolve("tiny.png"), 100, 60);
        DatasetSpec spec = DatasetSpec.kohya(root, Optional.empty(), ".txt", List.of(root));
        InvalidDatasetException e = assertThrows(InvalidDatasetException.class, () -> TrainingData.open(spec,
                new Bucketing.Settings(new Size(512, 512), true, 256, 1024, 64, true),
                new PlanSettings(1, false, false, CaptionRule.AS_WRITTEN, 0)));
        assertTrue(e.getMessage().contains("tiny.png") && e.getMessage().contains("100x60"), e.getMessage());
    }
}
