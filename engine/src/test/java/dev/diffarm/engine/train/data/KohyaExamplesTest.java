package dev.diffarm.engine.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.random.TorchGenerator;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.train.Draws;
import dev.diffarm.engine.train.TrainingExamples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link KohyaExamples} over datasets written into a temporary folder, encoded with sd-tiny's VAE (which halves each
 * side: a bucket of w x h gives latents of w/2 x h/2).
 */
class KohyaExamplesTest {
    private static final int VAE_FACTOR = 2;
    private static StableDiffusion model;
    private static NDManager manager;

    @TempDir
    Path root;

    @BeforeAll
    static void load() {
        model = StableDiffusion.load(Fixtures.sdTiny("model"), Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment());
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
        model.close();
    }

    private static KohyaExamples encode(TrainingData data, long seed) throws IOException {
        return KohyaExamples.encode(data, model.vae(), Draws.of(new TorchGenerator(seed)), manager);
    }

    /** The kohya dataset in {@code root/<folder>}, without buckets at 64 x 64. */
    private TrainingData openSquare(String folder, PlanSettings settings) throws IOException {
        return TrainingData.open(DatasetSpec.kohya(root.resolve(folder), Optional.empty(), ".txt", List.of(root)),
                Bucketing.Settings.withoutBuckets(new Size(64, 64)), settings);
    }

    private static Draws unused() {
        return Draws.of(new TorchGenerator(0));
    }

    /** Writes a captioned test image; the caption names it so a batch's captions say which images it holds. */
    private static void captioned(Path dir, String stem, int w, int h, String caption) throws IOException {
        Files.createDirectories(dir);
        DatasetScannerTest.image(dir.resolve(stem + ".png"), w, h);
        Files.writeString(dir.resolve(stem + ".txt"), caption);
    }

    /**
     * Images of sizes from {@code train-buckets.json}'s {@code bucket_512_no_upscale} cases: every batch holds one
     * bucket, its latents have that bucket's size, and each image's bucket is the one kohya chose.
     */
    @Test
    void everyBatchIsOneBucketOfKohyasChoice() throws IOException {
        JsonNode cases = new ObjectMapper().readTree(SharedTrainFixtures.sdTiny("train-buckets.json").toFile())
                .get("configs").get("bucket_512_no_upscale").get("cases");
        Map<Size, Size> kohyaBucket = new HashMap<>();
        for (JsonNode c : cases) {
            kohyaBucket.put(new Size(c.get("image_wh").get(0).asInt(), c.get("image_wh").get(1).asInt()),
                    new Size(c.get("bucket_wh").get(0).asInt(), c.get("bucket_wh").get(1).asInt()));
        }
        List<Size> sizes = List.of(new Size(64, 64), new Size(200, 150), new Size(300, 300), new Size(100, 1000));
        Path train = root.resolve("train");
        Map<String, Size> expectedBucket = new HashMap<>();
        for (int i = 0; i < sizes.size(); i++) {
            // two images of each size, so a bucket holds more than one image
            for (String copy : List.of("a", "b")) {
                String name = "img" + i + copy;
                captioned(train.resolve("2_thing"), name, sizes.get(i).width(), sizes.get(i).height(), name);
                expectedBucket.put(name, kohyaBucket.get(sizes.get(i)));
            }
        }
        TrainingData data = TrainingData.open(DatasetSpec.kohya(train, Optional.empty(), ".txt", List.of(root)),
                new Bucketing.Settings(new Size(512, 512), true, 256, 1024, 64, true),
                new PlanSettings(3, true, false, CaptionRule.AS_WRITTEN, 11));
        Map<Size, Integer> counts = new HashMap<>();
        expectedBucket.values().forEach(b -> counts.merge(b, 2, Integer::sum));
        assertEquals(counts, data.bucketCounts(), "examples per bucket, 2 repeats each");
        try (KohyaExamples examples = encode(data, 5)) {
            Map<String, Integer> uses = new HashMap<>();
            for (int b = 0; b < data.batchesPerEpoch(); b++) {
                TrainingExamples.Batch batch = examples.next(3, unused(), manager);
                Size bucket = expectedBucket.get(batch.captions().get(0));
                for (String caption : batch.captions()) {
                    assertEquals(bucket, expectedBucket.get(caption), "batch " + b + " mixes buckets: " + batch.captions());
                    uses.merge(caption, 1, Integer::sum);
                }
                assertArrayEquals(new long[] {batch.size(), 4, bucket.height() / VAE_FACTOR, bucket.width() / VAE_FACTOR},
                        batch.latents().getShape().getShape(), "latents of " + batch.captions());
                assertTrue(batch.size() <= 3);
            }
            assertEquals(expectedBucket.keySet(), uses.keySet());
            uses.forEach((image, n) -> assertEquals(2, n, image + " is used its repeats, 2, times per epoch"));
            assertArrayEquals(new long[] {1, 0}, examples.position(), "one epoch done");
        }
    }

    /** {@code 3_zwx dog}: each image 3 times an epoch, captioned by the folder's class tokens when it has no file. */
    @Test
    void repeatFoldersCountEachImageTheirRepeatsAndLendTheirClassTokens() throws IOException {
        Path dogs = Files.createDirectories(root.resolve("train/3_zwx dog"));
        DatasetScannerTest.image(dogs.resolve("d0.png"), 64, 64);
        DatasetScannerTest.image(dogs.resolve("d1.png"), 64, 64);
        captioned(root.resolve("train/1_cat"), "c0", 64, 64, "a cat, sitting");
        TrainingData data = openSquare("train", new PlanSettings(1, true, false, CaptionRule.AS_WRITTEN, 3));
        try (KohyaExamples examples = encode(data, 1)) {
            assertEquals(3, examples.images());
            Map<String, Integer> captions = new HashMap<>();
            Set<String> dogLatents = new HashSet<>();
            for (int b = 0; b < 7; b++) {
                TrainingExamples.Batch batch = examples.next(1, unused(), manager);
                captions.merge(batch.captions().get(0), 1, Integer::sum);
                if (batch.captions().get(0).equals("zwx dog")) {
                    dogLatents.add(Arrays.toString(batch.latents().toFloatArray()));
                }
            }
            assertEquals(Map.of("zwx dog", 6, "a cat, sitting", 1), captions);
            assertEquals(2, dogLatents.size(), "the two dog images, each used 3 times");
            assertEquals(Map.of("3_zwx dog", Map.of("zwx dog", 2), "1_cat", Map.of("a cat", 1, "sitting", 1)),
                    examples.tagFrequency(), "ss_tag_frequency counts each image once, per folder");
        }
    }

    @Test
    void captionShuffleKeepsTheFirstTokensInPlace() throws IOException {
        String caption = "zwx, dog, red collar, tall grass, sitting, sunny day";
        captioned(root.resolve("train"), "x", 64, 64, caption);
        TrainingData data = openSquare("train", new PlanSettings(1, true, false, new CaptionRule(true, 2, 0.0, 0.0, ","), 8));
        Set<String> seen = new HashSet<>();
        try (KohyaExamples examples = encode(data, 1)) {
            for (int epoch = 0; epoch < 12; epoch++) {
                String shuffled = examples.next(1, unused(), manager).captions().get(0);
                assertTrue(shuffled.startsWith("zwx, dog, "), shuffled);
                List<String> tags = new ArrayList<>(List.of(shuffled.split(", ")));
                tags.sort(null);
                List<String> expected = new ArrayList<>(List.of(caption.split(", ")));
                expected.sort(null);
                assertEquals(expected, tags, "the same tags, reordered");
                seen.add(shuffled);
            }
        }
        assertTrue(seen.size() > 1, "12 epochs gave " + seen.size() + " orders");
    }

    @Test
    void captionDropoutRateOneEmptiesEveryCaption() throws IOException {
        captioned(root.resolve("train"), "x", 64, 64, "zwx, dog");
        captioned(root.resolve("train"), "y", 64, 64, "zwx, cat");
        TrainingData data = openSquare("train", new PlanSettings(2, true, false, new CaptionRule(true, 1, 1.0, 0.0, ","), 8));
        try (KohyaExamples examples = encode(data, 1)) {
            for (int b = 0; b < 4; b++) {
                assertEquals(List.of("", ""), examples.next(2, unused(), manager).captions());
            }
        }
    }

    /**
     * With flip on, an image's uses take either its own latents (the first draw of its chunk, so equal to a run
     * without flip) or its mirror image's, and both occur.
     */
    @Test
    void flipTakesTheMirrorImagesLatentsAboutHalfTheTime() throws IOException {
        captioned(root.resolve("train"), "x", 64, 32, "x");
        Bucketing.Settings buckets = Bucketing.Settings.withoutBuckets(new Size(64, 32));
        DatasetSpec spec = DatasetSpec.kohya(root.resolve("train"), Optional.empty(), ".txt", List.of(root));
        TrainingData flipping = TrainingData.open(spec, buckets, new PlanSettings(1, true, true, CaptionRule.AS_WRITTEN, 2));
        TrainingData plain = TrainingData.open(spec, buckets, new PlanSettings(1, true, false, CaptionRule.AS_WRITTEN, 2));
        float[] unflipped;
        try (KohyaExamples examples = encode(plain, 9)) {
            unflipped = examples.next(1, unused(), manager).latents().toFloatArray();
        }
        int mirrored = 0;
        Set<String> variants = new HashSet<>();
        try (KohyaExamples examples = encode(flipping, 9)) {
            for (int epoch = 0; epoch < 16; epoch++) {
                float[] latents = examples.next(1, unused(), manager).latents().toFloatArray();
                variants.add(Arrays.toString(latents));
                if (!Arrays.equals(unflipped, latents)) {
                    mirrored++;
                }
            }
        }
        assertEquals(2, variants.size(), "the image's latents and its mirror image's");
        assertTrue(mirrored > 0 && mirrored < 16, mirrored + " of 16 uses mirrored");
    }

    /** A run saved after 3 batches and resumed in a fresh pipeline takes the batches the uninterrupted one took. */
    @Test
    void restoringAPositionContinuesBitForBit() throws IOException {
        for (int i = 0; i < 3; i++) {
            captioned(root.resolve("train/2_a"), "a" + i, 64 + 64 * (i % 2), 64, "zwx, a" + i + ", left, right, up");
        }
        DatasetSpec spec = DatasetSpec.kohya(root.resolve("train"), Optional.empty(), ".txt", List.of(root));
        Bucketing.Settings buckets = new Bucketing.Settings(new Size(128, 128), true, 64, 256, 64, false);
        PlanSettings settings = new PlanSettings(2, true, true, new CaptionRule(true, 1, 0.2, 0.1, ","), 77);
        List<String> uninterrupted = new ArrayList<>();
        long[] saved;
        try (KohyaExamples examples = encode(TrainingData.open(spec, buckets, settings), 4)) {
            for (int b = 0; b < 3; b++) {
                examples.next(2, unused(), manager);
            }
            saved = examples.position();
            for (int b = 0; b < 8; b++) {
                uninterrupted.add(describe(examples.next(2, unused(), manager)));
            }
        }
        try (KohyaExamples resumed = encode(TrainingData.open(spec, buckets, settings), 4)) {
            resumed.restore(saved);
            for (int b = 0; b < 8; b++) {
                assertEquals(uninterrupted.get(b), describe(resumed.next(2, unused(), manager)), "batch " + b + " after resume");
            }
        }
        assertNotEquals(uninterrupted.get(0), uninterrupted.get(3));
    }

    private static String describe(TrainingExamples.Batch batch) {
        return batch.captions() + " " + Arrays.toString(batch.latents().getShape().getShape()) + " "
                + Arrays.toString(batch.latents().toFloatArray());
    }

    @Test
    void aPositionOrBatchSizeThatDoesNotFitIsRefused() throws IOException {
        captioned(root.resolve("train"), "x", 64, 64, "x");
        TrainingData data = openSquare("train", new PlanSettings(1, false, false, CaptionRule.AS_WRITTEN, 1));
        try (KohyaExamples examples = encode(data, 1)) {
            IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                    () -> examples.next(2, unused(), manager));
            assertTrue(size.getMessage().startsWith("trainBatchSize"), size.getMessage());
            assertThrows(IllegalArgumentException.class, () -> examples.restore(new long[] {0, 1}));
            assertThrows(IllegalArgumentException.class, () -> examples.restore(new long[] {-1, 0}));
            assertThrows(IllegalArgumentException.class, () -> examples.restore(new long[] {3}));
            examples.restore(new long[] {5, 0});
            assertArrayEquals(new long[] {5, 0}, examples.position());
        }
    }

    @Test
    void anUnreadableImageIsNamedWithItsField() throws IOException {
        captioned(root.resolve("train"), "good", 64, 64, "x");
        Files.writeString(root.resolve("train/broken.png"), "not a png");
        InvalidDatasetException e = assertThrows(InvalidDatasetException.class,
                () -> openSquare("train", new PlanSettings(1, false, false, CaptionRule.AS_WRITTEN, 1)));
        assertEquals("dataset", e.field());
        assertTrue(e.getMessage().contains("broken.png"), e.getMessage());
    }

    /** An image that breaks between the scan and the latent cache is refused by the cache, naming it. */
    @Test
    void anImageBrokenAfterTheScanIsNamedWhenItsLatentsAreCached() throws IOException {
        captioned(root.resolve("train"), "good", 64, 64, "x");
        captioned(root.resolve("train"), "later", 64, 64, "y");
        TrainingData data = openSquare("train", new PlanSettings(1, false, false, CaptionRule.AS_WRITTEN, 1));
        Files.writeString(root.resolve("train/later.png"), "truncated");
        InvalidDatasetException e = assertThrows(InvalidDatasetException.class, () -> encode(data, 1));
        assertEquals("dataset", e.field());
        assertTrue(e.getMessage().contains("later.png"), e.getMessage());
    }

    @Test
    void anEmptyFolderIsNamedWithItsField() throws IOException {
        Path empty = Files.createDirectories(root.resolve("train/5_nothing"));
        InvalidDatasetException e = assertThrows(InvalidDatasetException.class,
                () -> openSquare("train", new PlanSettings(1, false, false, CaptionRule.AS_WRITTEN, 1)));
        assertEquals("dataset", e.field());
        assertTrue(e.getMessage().contains(empty.getFileName().toString()), e.getMessage());
    }

    /**
     * DreamBooth's two sets as two {@link TrainingExamples}: the instance images with the instance prompt, the class
     * images (balanced to as many examples as the instances) with the class prompt.
     */
    @Test
    void dreamBoothGivesInstanceAndClassExamplesApart() throws IOException {
        Path instances = root.resolve("instance");
        Path classes = root.resolve("class");
        for (int i = 0; i < 2; i++) {
            captioned(instances, "i" + i, 64, 64, "ignored");
        }
        for (int i = 0; i < 5; i++) {
            captioned(classes, "c" + i, 64, 64, "ignored");
        }
        TrainingData data = TrainingData.open(DatasetSpec.dreamBooth(instances, "a photo of zwx dog",
                        Optional.of(classes), "a photo of a dog", List.of(root)),
                Bucketing.Settings.withoutBuckets(new Size(64, 64)),
                new PlanSettings(1, true, false, CaptionRule.AS_WRITTEN, 6));
        try (KohyaExamples instanceExamples = encode(data.instanceImages(), 1);
             KohyaExamples classExamples = encode(data.classImages(), 2)) {
            assertEquals(2, instanceExamples.images());
            assertEquals(2, classExamples.images(), "kohya's balancing keeps as many class examples as instances");
            for (int b = 0; b < 4; b++) {
                assertEquals(List.of("a photo of zwx dog"), instanceExamples.next(1, unused(), manager).captions());
                TrainingExamples.Batch classBatch = classExamples.next(1, unused(), manager);
                assertEquals(List.of("a photo of a dog"), classBatch.captions());
                assertArrayEquals(new long[] {1, 4, 32, 32}, classBatch.latents().getShape().getShape());
            }
            assertTrue(classExamples.data().dataset().images().stream().allMatch(TrainingImage::classImage));
            assertFalse(instanceExamples.data().dataset().images().stream().anyMatch(TrainingImage::classImage));
        }
        TrainingData withoutClasses = TrainingData.open(DatasetSpec.dreamBooth(instances, "a photo of zwx dog",
                Optional.empty(), "", List.of(root)), Bucketing.Settings.withoutBuckets(new Size(64, 64)),
                new PlanSettings(1, true, false, CaptionRule.AS_WRITTEN, 6));
        InvalidDatasetException e = assertThrows(InvalidDatasetException.class, withoutClasses::classImages);
        assertEquals("classData", e.field());
    }

    /** Without a resolution the images are used at their own size, which they must share; buckets need one. */
    @Test
    void withoutAResolutionTheImagesSizeIsTheTrainingSize() throws IOException {
        captioned(root.resolve("train"), "a", 64, 32, "a");
        captioned(root.resolve("train"), "b", 64, 32, "b");
        TrainingData same = KohyaDataOptions.DEFAULTS.open(root.resolve("train"), List.of(root), 2, false, 1);
        assertEquals(Map.of(new Size(64, 32), 2), same.bucketCounts());
        assertEquals(Resample.NONE, same.assignment(0).resample());

        captioned(root.resolve("train"), "c", 32, 32, "c");
        InvalidDatasetException e = assertThrows(InvalidDatasetException.class,
                () -> KohyaDataOptions.DEFAULTS.open(root.resolve("train"), List.of(root), 2, false, 1));
        assertEquals("resolution", e.field());
        assertTrue(e.getMessage().contains("c.png"), e.getMessage());

        IllegalArgumentException noResolution = assertThrows(IllegalArgumentException.class,
                () -> new KohyaDataOptions(Optional.empty(), true, 256, 1024, 64, false, false, CaptionRule.AS_WRITTEN,
                        ".txt"));
        assertTrue(noResolution.getMessage().startsWith("resolution"), noResolution.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new KohyaDataOptions(Optional.of(new Size(512, 512)), true,
                768, 1024, 64, false, false, CaptionRule.AS_WRITTEN, ".txt"), "minBucketReso above the resolution");
    }

    /** {@code --caption-extension}: captions come from the files of that extension. */
    @Test
    void theCaptionExtensionPicksTheCaptionFiles() throws IOException {
        captioned(root.resolve("train"), "a", 32, 32, "from txt");
        Files.writeString(root.resolve("train/a.caption"), "from caption\nsecond line");
        KohyaDataOptions options = new KohyaDataOptions(Optional.empty(), false, 256, 1024, 64, false, false,
                CaptionRule.AS_WRITTEN, "caption");
        try (KohyaExamples examples = options.examples(root.resolve("train"), List.of(root), 1, false, 1, model.vae(),
                Draws.of(new TorchGenerator(1)), manager)) {
            assertEquals(List.of("from caption"), examples.next(1, unused(), manager).captions());
        }
    }

    /** The DreamBooth factory: both sets at the shared size, instance latents cached before the class latents. */
    @Test
    void theDreamBoothFactoryCachesInstancesThenClasses() throws IOException {
        captioned(root.resolve("instance"), "i0", 32, 32, "ignored");
        captioned(root.resolve("class"), "c0", 32, 32, "ignored");
        captioned(root.resolve("class"), "c1", 32, 32, "ignored");
        KohyaDataOptions.PriorPreservation both = KohyaDataOptions.DEFAULTS.dreamBooth(root.resolve("instance"),
                "a zwx dog", root.resolve("class"), "a dog", List.of(root), 1, false, 3, model.vae(),
                Draws.of(new TorchGenerator(12)), manager);
        float[] expected;
        try (KohyaExamples alone = KohyaDataOptions.DEFAULTS.examples(root.resolve("instance"), List.of(root), 1, false, 3,
                model.vae(), Draws.of(new TorchGenerator(12)), manager)) {
            expected = alone.next(1, unused(), manager).latents().toFloatArray();
        }
        try (KohyaExamples instances = both.instances(); KohyaExamples classes = both.classes()) {
            TrainingExamples.Batch instance = instances.next(1, unused(), manager);
            assertEquals(List.of("a zwx dog"), instance.captions());
            assertArrayEquals(expected, instance.latents().toFloatArray(), 0f, "the first draws are the instance's");
            assertEquals(List.of("a dog"), classes.next(1, unused(), manager).captions());
            assertEquals(1, classes.images(), "balanced to the one instance image");
        }
        IllegalArgumentException buckets = assertThrows(IllegalArgumentException.class, () -> new KohyaDataOptions(
                Optional.of(new Size(64, 64)), true, 64, 128, 64, false, false, CaptionRule.AS_WRITTEN, ".txt")
                .dreamBooth(root.resolve("instance"), "a", root.resolve("class"), "b", List.of(root), 1, false, 3,
                        model.vae(), unused(), manager));
        assertTrue(buckets.getMessage().startsWith("enableBucket"), buckets.getMessage());
    }
}
