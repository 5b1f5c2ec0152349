package dev.diffarm.daemon.job;

import dev.diffarm.api.Progress;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.engine.pipeline.Generator;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.sampler.SamplerRegistry;
import dev.diffarm.engine.train.ClassImageRendering;
import dev.diffarm.engine.train.FineTuneRequest;
import dev.diffarm.farm.config.DreamBoothOptions;
import dev.diffarm.farm.config.EventError;
import dev.diffarm.farm.config.TrainJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * DreamBooth's class images for prior preservation, gathered into one folder for the run: those of the job's
 * {@code classDataset} first, then, up to {@code numClassImages}, those the farm keeps in its store, and the ones still
 * missing rendered with the base model and the class prompt as the CLI renders them ({@link ClassImageRendering}: seed
 * = the image's position in the folder) and stored. The store keeps them under {@link TrainJob#classImagesPrefix()}
 * ({@code 0000.png}, {@code 0001.png}, ...), a folder per model, class prompt and resolution, so that the next run with
 * the same three finds them instead of rendering them anew.
 */
final class ClassImages {
    private static final String RENDERED = "class-";

    private final OutputStore store;
    private final Supplier<SamplerRegistry> samplers;
    private final Path datasetsDir;

    /** @param datasetsDir the root a job's {@code classDataset} names a folder of, absolute and normalized */
    ClassImages(OutputStore store, Supplier<SamplerRegistry> samplers, Path datasetsDir) {
        this.store = store;
        this.samplers = samplers;
        this.datasetsDir = datasetsDir;
    }

    /**
     * Puts {@code numClassImages} class images of DreamBooth job {@code job} into {@code target} and returns how many
     * of them it rendered; the render stops when {@code progress} is cancelled.
     *
     * @throws TaskFailure naming {@code classDataset} when its folder is missing
     */
    int gather(TrainJob job, StableDiffusion model, Path target, Progress progress) throws IOException {
        DreamBoothOptions options = job.dreambooth().orElseThrow(() -> new IllegalArgumentException(
                "method: expected dreambooth: only DreamBooth has class images"));
        String prompt = options.classPrompt().orElseThrow(() -> new IllegalArgumentException(
                "classPrompt: expected one: class images need it"));
        String folder = job.classImagesPrefix().orElseThrow();
        Files.createDirectories(target);
        int present = copyClassDataset(options.classDataset(), target);
        int kept = 0;
        for (; present < options.numClassImages(); present++, kept++) {
            Optional<byte[]> stored = store.get(poolKey(folder, kept));
            if (stored.isEmpty()) {
                break;
            }
            Files.write(target.resolve(String.format(Locale.ROOT, "farm-%04d.png", kept)), stored.get());
        }
        int rendered = ClassImageRendering.fillUp(model, new Generator(samplers), new FineTuneRequest.ClassImages(target,
                prompt, options.numClassImages()), job.resolution(), job.resolution(), 0, progress);
        List<Path> made = pngs(target).stream().filter(f -> f.getFileName().toString().startsWith(RENDERED)).toList();
        for (int i = 0; i < made.size(); i++) {
            store.put(poolKey(folder, kept + i), Files.readAllBytes(made.get(i)), "image/png");
        }
        return rendered;
    }

    private static String poolKey(String folder, int index) {
        return folder + String.format(Locale.ROOT, "%04d.png", index);
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
        List<Path> images = pngs(folder);
        for (Path image : images) {
            Files.copy(image, target.resolve("own-" + image.getFileName()));
        }
        return images.size();
    }

    private static List<Path> pngs(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")).sorted()
                    .toList();
        }
    }
}
