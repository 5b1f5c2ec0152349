package dev.diffarm.daemon.job;

import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.farm.config.Defaults;
import dev.diffarm.farm.config.DreamBoothOptions;
import dev.diffarm.farm.config.EventError;
import dev.diffarm.farm.config.TrainJob;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * DreamBooth's class images for prior preservation, gathered into one folder for the run: those of the job's
 * {@code classDataset} first, then, up to {@code numClassImages}, those the farm keeps in its store, rendering and
 * storing the ones it does not have yet with the base model and the class prompt. The store keeps them under
 * {@link TrainJob#classImagesPrefix()}, a folder per model, class prompt and resolution, so that the next run with the
 * same three finds them again instead of rendering them anew.
 *
 * <p>Class image {@code NNNN} (from {@code 0000}) is rendered with seed {@code NNNN}, {@value Defaults#SAMPLER},
 * {@value Defaults#STEPS} steps and CFG {@value Defaults#CFG}: the same images every time, whichever node renders them.
 */
final class ClassImages {
    private final OutputStore store;
    private final TrainingRender render;
    private final Path datasetsDir;

    /** @param datasetsDir the root a job's {@code classDataset} names a folder of, absolute and normalized */
    ClassImages(OutputStore store, TrainingRender render, Path datasetsDir) {
        this.store = store;
        this.render = render;
        this.datasetsDir = datasetsDir;
    }

    /**
     * Puts {@code numClassImages} class images of DreamBooth job {@code job} into {@code target} and returns how many
     * of them it rendered; {@code betweenImages} runs before each render (a cancellation check).
     *
     * @throws TaskFailure naming {@code classDataset} when its folder is missing
     */
    int gather(TrainJob job, Path target, Runnable betweenImages) throws IOException {
        DreamBoothOptions options = job.dreambooth().orElseThrow(() -> new IllegalArgumentException(
                "method: expected dreambooth: only DreamBooth has class images"));
        String prompt = options.classPrompt().orElseThrow(() -> new IllegalArgumentException(
                "classPrompt: expected one: class images need it"));
        String folder = job.classImagesPrefix().orElseThrow();
        Files.createDirectories(target);
        int own = copyClassDataset(options.classDataset(), target);
        int rendered = 0;
        for (int index = 0; own + index < options.numClassImages(); index++) {
            String key = folder + String.format(Locale.ROOT, "%04d.png", index);
            Optional<byte[]> stored = store.get(key);
            byte[] png;
            if (stored.isPresent()) {
                png = stored.get();
            } else {
                betweenImages.run();
                png = render.png(prompt, index, Defaults.STEPS, job.resolution(), List.of());
                store.put(key, png, "image/png");
                rendered++;
            }
            Files.write(target.resolve(String.format(Locale.ROOT, "farm-%04d.png", index)), png);
        }
        return rendered;
    }

    /** Copies the class dataset's PNG images into {@code target} and returns how many there were. */
    private int copyClassDataset(Optional<String> classDataset, Path target) throws IOException {
        if (classDataset.isEmpty()) {
            return 0;
        }
        Path folder = datasetsDir.resolve(classDataset.get()).normalize();
        if (!folder.startsWith(datasetsDir) || !Files.isDirectory(folder)) {
            throw new TaskFailure(new EventError("invalid-value", "classDataset = \"" + classDataset.get()
                    + "\": expected a folder under the datasets root " + datasetsDir + "; there is none of this name",
                    Optional.of("classDataset")), null);
        }
        try (Stream<Path> files = Files.list(folder)) {
            List<Path> images = files.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png"))
                    .sorted().toList();
            for (Path image : images) {
                Files.copy(image, target.resolve("own-" + image.getFileName()));
            }
            return images.size();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
