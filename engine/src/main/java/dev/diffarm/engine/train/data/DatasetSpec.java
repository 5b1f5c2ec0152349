package dev.diffarm.engine.train.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What to train on: the image sets, the folders they must lie in, and the decoder's pixel limit.
 *
 * @param sets         the image sets, instance and class
 * @param allowedRoots every folder and image must lie inside one of these (symbolic links resolved), so a job
 *                     cannot read files elsewhere on the node
 * @param maxPixels    images with more pixels are refused ({@link ImageDecoder})
 */
public record DatasetSpec(List<ImageSet> sets, List<Path> allowedRoots, long maxPixels) {

    public DatasetSpec {
        sets = List.copyOf(sets);
        allowedRoots = List.copyOf(allowedRoots);
        if (sets.isEmpty()) {
            throw new IllegalArgumentException("dataset: no image folders given");
        }
        if (allowedRoots.isEmpty()) {
            throw new IllegalArgumentException("allowedRoots: at least one allowed root folder is needed");
        }
    }

    /**
     * A kohya dataset: {@code trainDir} with {@code <repeats>_<class tokens>} folders (or images directly), and
     * optionally kohya's {@code reg_data_dir} of class images ({@link KohyaFolders}).
     */
    public static DatasetSpec kohya(Path trainDir, Optional<Path> regDir, String captionExtension,
                                    List<Path> allowedRoots) throws IOException {
        PathGuard guard = new PathGuard(allowedRoots);
        guard.check("data", trainDir);
        if (regDir.isPresent()) {
            guard.check("regData", regDir.get());
        }
        return new DatasetSpec(KohyaFolders.read(trainDir, regDir, captionExtension), allowedRoots,
                ImageDecoder.DEFAULT_MAX_PIXELS);
    }

    /**
     * A DreamBooth dataset as diffusers' {@code train_dreambooth.py} takes one: every instance image captioned
     * {@code instancePrompt}, every class image (if a class folder is given) {@code classPrompt}.
     */
    public static DatasetSpec dreamBooth(Path instanceDir, String instancePrompt, Optional<Path> classDir,
                                         String classPrompt, List<Path> allowedRoots) {
        ImageSet instances = new ImageSet(instanceDir, 1, false, new CaptionSource.FixedPrompt(instancePrompt));
        if (classDir.isEmpty()) {
            return new DatasetSpec(List.of(instances), allowedRoots, ImageDecoder.DEFAULT_MAX_PIXELS);
        }
        ImageSet classes = new ImageSet(classDir.get(), 1, true, new CaptionSource.FixedPrompt(classPrompt));
        return new DatasetSpec(List.of(instances, classes), allowedRoots, ImageDecoder.DEFAULT_MAX_PIXELS);
    }

    /** The same spec with another pixel limit. */
    public DatasetSpec withMaxPixels(long limit) {
        return new DatasetSpec(sets, allowedRoots, limit);
    }
}
