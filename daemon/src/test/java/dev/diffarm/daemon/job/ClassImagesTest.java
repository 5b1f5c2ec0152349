package dev.diffarm.daemon.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.api.Progress;
import dev.diffarm.daemon.TestPlugins;
import dev.diffarm.daemon.TinyModel;
import dev.diffarm.daemon.local.LocalOutputStore;
import dev.diffarm.daemon.render.ModelCache;
import dev.diffarm.daemon.render.ModelDirectory;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.image.PngReader;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.farm.config.JobParser;
import dev.diffarm.farm.config.TrainJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DreamBooth's class images on the tiny model: the missing ones are rendered with the base model and the class prompt
 * (seed = position in the folder, as the CLI renders them) and kept in the store, where the next run with the same model, prompt and resolution
 * finds them; images of the job's class dataset count first.
 */
class ClassImagesTest {
    @TempDir
    Path dir;
    private ModelCache cache;

    @AfterEach
    void closeModel() {
        if (cache != null) {
            cache.close();
        }
    }

    @Test
    void missingClassImagesAreRenderedOnceAndFoundAgainByTheNextRun() throws IOException {
        LocalOutputStore store = new LocalOutputStore(dir.resolve("store"));
        ClassImages classImages = classImages(store);
        TrainJob job = dreambooth("\"classPrompt\": \"a photo of a person\", \"numClassImages\": 3");
        String prefix = job.classImagesPrefix().orElseThrow();
        assertTrue(prefix.matches("class-images/tiny/[0-9a-f]{16}/32px/"), prefix);

        int first = classImages.gather(job, model(), dir.resolve("run-1"), Progress.NONE);
        int second = classImages.gather(job, model(), dir.resolve("run-2"), Progress.NONE);

        assertEquals(3, first, "a first run renders every class image");
        assertEquals(0, second, "the next run finds them in the store");
        List<Path> images = pngs(dir.resolve("run-1"));
        assertEquals(3, images.size());
        for (int i = 0; i < 3; i++) {
            byte[] stored = store.get(prefix + String.format("%04d.png", i)).orElseThrow();
            assertArrayEquals(stored, Files.readAllBytes(images.get(i)));
            assertArrayEquals(stored, Files.readAllBytes(pngs(dir.resolve("run-2")).get(i)));
            String parameters = PngReader.readParameters(images.get(i)).orElseThrow();
            assertTrue(parameters.startsWith("a photo of a person") && parameters.contains("Seed: " + i + ","), parameters);
        }
        TrainJob otherPrompt = dreambooth("\"classPrompt\": \"a photo of a dog\", \"numClassImages\": 3");
        assertNotEquals(prefix, otherPrompt.classImagesPrefix().orElseThrow(), "a folder per class prompt");
        System.out.println("class images: " + first + " rendered, then " + second + "; kept under " + prefix);
    }

    @Test
    void theClassDatasetsImagesCountFirst() throws IOException {
        LocalOutputStore store = new LocalOutputStore(dir.resolve("store"));
        Path own = Files.createDirectories(dir.resolve("datasets/people"));
        Path source = TinyModel.source().getParent().resolve("train-data");
        try (Stream<Path> files = Files.list(source)) {
            for (Path png : files.filter(f -> f.toString().endsWith(".png")).sorted().limit(2).toList()) {
                Files.copy(png, own.resolve(png.getFileName()));
            }
        }
        TrainJob job = dreambooth("\"classPrompt\": \"a photo of a person\", \"numClassImages\": 3, "
                + "\"classDataset\": \"people\"");

        int rendered = classImages(store).gather(job, model(), dir.resolve("run"), Progress.NONE);

        assertEquals(1, rendered, "two of three are the class dataset's");
        assertEquals(3, pngs(dir.resolve("run")).size());
        assertTrue(store.exists(job.classImagesPrefix().orElseThrow() + "0000.png"));
    }

    private ClassImages classImages(LocalOutputStore store) {
        return new ClassImages(store, TestPlugins.samplers(), dir.resolve("datasets").toAbsolutePath().normalize());
    }

    private StableDiffusion model() {
        if (cache == null) {
            cache = new ModelCache(new ModelDirectory(TinyModel.modelsDir(dir.resolve("models"))),
                    TokenizerLocator.fromEnvironment());
        }
        return cache.lease(TinyModel.NAME).model();
    }

    private static TrainJob dreambooth(String fields) {
        return (TrainJob) new JobParser().parse("{\"apiVersion\": \"diffarm/v1\", \"kind\": \"train\", \"id\": \"db\", "
                + "\"method\": \"dreambooth\", \"model\": \"" + TinyModel.NAME + "\", \"dataset\": \"faces\", "
                + "\"output\": \"zwx\", \"resolution\": 32, \"instancePrompt\": \"a photo of zwx person\", " + fields + "}")
                .orElseThrow();
    }

    private static List<Path> pngs(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.toString().endsWith(".png")).sorted().toList();
        }
    }
}
