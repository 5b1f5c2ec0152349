package dev.diffarm.engine.train;

import dev.diffarm.api.Progress;
import dev.diffarm.engine.image.ModelHash;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.pipeline.Generation;
import dev.diffarm.engine.pipeline.GenerationRequest;
import dev.diffarm.engine.pipeline.Generator;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.prompt.Emphasis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * DreamBooth's class images made when too few exist, as diffusers' {@code train_dreambooth.py} does before training:
 * the base model renders the class prompt until the folder holds {@code count} images. Here each missing image
 * {@code i} is {@code class-NNNN.png}, rendered with DDIM, {@value #STEPS} steps, CFG {@value #CFG_SCALE} (the
 * pipeline's defaults) and seed {@code seed + i}, so that the same run makes the same images; the PNG records how.
 * They stay in the folder for the next run.
 */
public final class ClassImageRendering {
    static final int STEPS = 50;
    static final double CFG_SCALE = 7.5;
    private static final String SAMPLER = "DDIM";

    private ClassImageRendering() {
    }

    /**
     * Renders the class images {@code classes.folder()} lacks, at {@code width} x {@code height}.
     *
     * @return how many were rendered
     */
    public static int fillUp(StableDiffusion model, Generator generator, FineTuneRequest.ClassImages classes, int width,
                             int height, long seed, Progress progress) throws IOException {
        Files.createDirectories(classes.folder());
        int existing = pngs(classes.folder());
        String hash = ModelHash.shortHash(model.path());
        int rendered = 0;
        for (int i = existing; i < classes.count(); i++) {
            GenerationRequest request = new GenerationRequest(classes.prompt(), "", SAMPLER, STEPS, CFG_SCALE,
                    seed + i, width, height, 1, 1, Emphasis.ORIGINAL);
            Generation generation = generator.generate(model, hash, request, progress);
            Path file = classes.folder().resolve(String.format("class-%04d.png", i));
            PngWriter.write(generation.images().get(0).pixels(), generation.images().get(0).infotext(), file);
            rendered++;
        }
        return rendered;
    }

    private static int pngs(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return (int) files.filter(p -> p.getFileName().toString().toLowerCase().endsWith(".png")).count();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
    }
}
