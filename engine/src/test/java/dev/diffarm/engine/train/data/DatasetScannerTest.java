package dev.diffarm.engine.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetScannerTest {
    @TempDir
    Path root;

    @Test
    void repeatFoldersGiveRepeatsCaptionsAndClassTokenFallback() throws IOException {
        Path train = Files.createDirectories(root.resolve("train"));
        Path zwx = Files.createDirectories(train.resolve("10_zwx person"));
        image(zwx.resolve("b.png"), 64, 48);
        image(zwx.resolve("a.jpg"), 32, 32);
        Files.writeString(zwx.resolve("a.txt"), "  zwx person, Red Hat, outdoors  \nsecond line ignored\n");
        Path style = Files.createDirectories(train.resolve("2_"));
        image(style.resolve("s.webp.png"), 8, 8);
        Files.createDirectories(train.resolve(".cache"));
        Path reg = Files.createDirectories(root.resolve("reg"));
        Path person = Files.createDirectories(reg.resolve("1_person"));
        image(person.resolve("c.png"), 16, 16);
        image(person.resolve("d.png"), 16, 16);
        image(person.resolve("e.png"), 16, 16);

        Dataset dataset = DatasetScanner.scan(DatasetSpec.kohya(train, Optional.of(reg), "txt", List.of(root)));
        List<TrainingImage> images = dataset.images();
        assertEquals(List.of("a.jpg", "b.png", "s.webp.png", "c.png", "d.png", "e.png"),
                images.stream().map(i -> i.file().getFileName().toString()).toList());
        assertEquals("zwx person, Red Hat, outdoors", images.get(0).caption());
        assertEquals("zwx person", images.get(1).caption());
        assertEquals("", images.get(2).caption());
        assertEquals(new Size(64, 48), images.get(1).size());
        assertEquals(10, images.get(0).repeats());
        assertEquals(2, images.get(2).repeats());
        assertEquals(22, dataset.instanceCount());
        // kohya's balancing: 3 class images of 1 repeat count 3 < 22, so further rounds add one repeat each in
        // turn: 19 more, c gets 7 more, d and e 6 more.
        assertEquals(List.of(8, 7, 7), images.subList(3, 6).stream().map(TrainingImage::repeats).toList());
        assertEquals(22, dataset.classCount());
        assertTrue(images.get(4).classImage() && !images.get(1).classImage());

        Map<String, Map<String, Integer>> tags = dataset.tagFrequency();
        assertEquals(Map.of("zwx person", 2, "red hat", 1, "outdoors", 1), tags.get("10_zwx person"));
        assertEquals(Map.of(), tags.get("2_"));
        assertEquals(Map.of("person", 3), tags.get("1_person"));
    }

    @Test
    void balancingLeavesOutClassImagesBeyondTheInstanceCount() {
        TrainingImage one = new TrainingImage(root.resolve("x.png"), "1_c", "c", 3, true, new Size(8, 8));
        List<TrainingImage> kept = DatasetScanner.balance(List.of(one, one.withRepeats(4), one), 5);
        assertEquals(List.of(3, 4), kept.stream().map(TrainingImage::repeats).toList());
        assertEquals(List.of(), DatasetScanner.balance(List.of(one), 0));
    }

    @Test
    void plainFolderIsOneSetOfOneRepeatWithItsCaptionExtension() throws IOException {
        image(root.resolve("img1.png"), 8, 8);
        image(root.resolve("img0.png"), 8, 8);
        Files.writeString(root.resolve("img0.caption"), "first");
        Files.writeString(root.resolve("img0.txt"), "not this one");
        Dataset dataset = DatasetScanner.scan(DatasetSpec.kohya(root, Optional.empty(), ".caption", List.of(root)));
        assertEquals(List.of("first", ""), dataset.images().stream().map(TrainingImage::caption).toList());
        assertEquals(List.of(1, 1), dataset.images().stream().map(TrainingImage::repeats).toList());
    }

    @Test
    void dreamBoothSetsCaptionEveryImageWithItsPrompt() throws IOException {
        Path instances = Files.createDirectories(root.resolve("instance"));
        Path classes = Files.createDirectories(root.resolve("class"));
        image(instances.resolve("i.png"), 8, 8);
        Files.writeString(instances.resolve("i.txt"), "ignored: DreamBooth uses the prompt");
        image(classes.resolve("k.png"), 8, 8);
        Dataset dataset = DatasetScanner.scan(DatasetSpec.dreamBooth(instances, "a photo of zwx dog",
                Optional.of(classes), "a photo of a dog", List.of(root)));
        assertEquals("a photo of zwx dog", dataset.images().get(0).caption());
        assertEquals("a photo of a dog", dataset.images().get(1).caption());
        assertTrue(dataset.images().get(1).classImage());
    }

    @Test
    void badDatasetsAreRefusedNamingTheFileOrField() throws IOException {
        Path allowed = Files.createDirectories(root.resolve("allowed"));
        Path outside = Files.createDirectories(root.resolve("outside"));
        image(outside.resolve("x.png"), 8, 8);
        InvalidDatasetException e = assertThrows(InvalidDatasetException.class,
                () -> DatasetSpec.kohya(outside, Optional.empty(), ".txt", List.of(allowed)));
        assertEquals("data", e.field());
        assertTrue(e.getMessage().contains("outside the allowed roots"), e.getMessage());

        Path link = allowed.resolve("link");
        Files.createSymbolicLink(link, outside);
        e = assertThrows(InvalidDatasetException.class,
                () -> DatasetScanner.scan(new DatasetSpec(List.of(set(link)), List.of(allowed), 1000)));
        assertTrue(e.getMessage().contains("outside the allowed roots"), e.getMessage());

        Path empty = Files.createDirectories(allowed.resolve("empty"));
        e = assertThrows(InvalidDatasetException.class,
                () -> DatasetScanner.scan(new DatasetSpec(List.of(set(empty)), List.of(allowed), 1000)));
        assertTrue(e.getMessage().contains(empty + ": no PNG, JPEG or WebP images"), e.getMessage());

        Path broken = Files.createDirectories(allowed.resolve("broken"));
        Files.writeString(broken.resolve("bad.jpg"), "garbage");
        e = assertThrows(InvalidDatasetException.class,
                () -> DatasetScanner.scan(new DatasetSpec(List.of(set(broken)), List.of(allowed), 1000)));
        assertTrue(e.getMessage().contains("bad.jpg"), e.getMessage());

        Path emptyCaption = Files.createDirectories(allowed.resolve("caption"));
        image(emptyCaption.resolve("a.png"), 8, 8);
        Files.writeString(emptyCaption.resolve("a.txt"), "");
        e = assertThrows(InvalidDatasetException.class,
                () -> DatasetScanner.scan(new DatasetSpec(List.of(set(emptyCaption)), List.of(allowed), 1000)));
        assertTrue(e.getMessage().contains("a.txt: caption file is empty"), e.getMessage());

        Path misnamed = Files.createDirectories(allowed.resolve("train").resolve("zwx person"));
        e = assertThrows(InvalidDatasetException.class, () -> DatasetSpec.kohya(misnamed.getParent(),
                Optional.empty(), ".txt", List.of(allowed)));
        assertTrue(e.getMessage().contains("zwx person: a dataset folder's name must be <repeats>_<class tokens>"),
                e.getMessage());

        Path big = Files.createDirectories(allowed.resolve("big"));
        image(big.resolve("b.png"), 40, 30);
        e = assertThrows(InvalidDatasetException.class,
                () -> DatasetScanner.scan(new DatasetSpec(List.of(set(big)), List.of(allowed), 1000)));
        assertTrue(e.getMessage().contains("b.png: 40x30 is 1200 pixels, more than the limit of 1000"),
                e.getMessage());

        e = assertThrows(InvalidDatasetException.class, () -> DatasetScanner.scan(new DatasetSpec(
                List.of(new ImageSet(emptyCaption, 1, true, new CaptionSource.FixedPrompt("p"))), List.of(allowed),
                1000)));
        assertTrue(e.getMessage().contains("no instance images"), e.getMessage());
    }

    private static ImageSet set(Path dir) {
        return new ImageSet(dir, 1, false, new CaptionSource.CaptionFiles(".txt", ""));
    }

    static void image(Path file, int w, int h) throws IOException {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, (x * 255 / Math.max(1, w - 1)) << 16 | (y * 255 / Math.max(1, h - 1)) << 8 | 0x40);
            }
        }
        String name = file.getFileName().toString();
        ImageIO.write(image, name.endsWith(".jpg") ? "jpeg" : "png", file.toFile());
    }
}
