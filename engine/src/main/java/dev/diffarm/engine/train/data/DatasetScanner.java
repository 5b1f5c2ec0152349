package dev.diffarm.engine.train.data;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Turns a {@link DatasetSpec} into a {@link Dataset}: lists each set's images, reads their captions and their sizes
 * (headers only), and balances the class images as kohya's {@code DreamBoothDataset} does.
 */
public final class DatasetScanner {
    private static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg", "webp");

    private DatasetScanner() {
    }

    /**
     * Scans {@code spec}.
     *
     * @throws InvalidDatasetException if a folder lies outside the allowed roots or holds no images, an image is
     *                                 unreadable or over the pixel limit, a caption file is empty or not UTF-8, or
     *                                 there are no instance images
     */
    public static Dataset scan(DatasetSpec spec) throws IOException {
        PathGuard guard = new PathGuard(spec.allowedRoots());
        ImageDecoder decoder = new ImageDecoder(spec.maxPixels());
        List<TrainingImage> instances = new ArrayList<>();
        List<TrainingImage> classes = new ArrayList<>();
        for (ImageSet set : spec.sets()) {
            Path dir = guard.check("dataset", set.dir());
            List<Path> files = imagesIn(dir);
            if (files.isEmpty()) {
                throw new InvalidDatasetException("dataset", dir + ": no PNG, JPEG or WebP images");
            }
            for (Path file : files) {
                Path real = guard.check("dataset", file);
                TrainingImage image = new TrainingImage(real, dir.getFileName().toString(),
                        caption(file, set.captions()), set.repeats(), set.classImages(), decoder.readSize(real));
                (set.classImages() ? classes : instances).add(image);
            }
        }
        if (instances.isEmpty()) {
            throw new InvalidDatasetException("dataset", "no instance images: every folder given holds class images");
        }
        List<TrainingImage> images = new ArrayList<>(instances);
        images.addAll(balance(classes, new Dataset(instances).instanceCount()));
        return new Dataset(images);
    }

    /** The image files directly in {@code dir}, by name. */
    static List<Path> imagesIn(Path dir) throws IOException {
        try (Stream<Path> children = Files.list(dir)) {
            return children.filter(Files::isRegularFile).filter(DatasetScanner::isImage).sorted().toList();
        }
    }

    private static boolean isImage(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && IMAGE_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static String caption(Path image, CaptionSource source) throws IOException {
        if (source instanceof CaptionSource.FixedPrompt fixed) {
            return fixed.prompt();
        }
        return captionFile(image, (CaptionSource.CaptionFiles) source);
    }

    /** kohya's {@code read_caption}: the first line of the caption file, stripped; the fallback if there is none. */
    private static String captionFile(Path image, CaptionSource.CaptionFiles files) throws IOException {
        String name = image.getFileName().toString();
        Path file = image.resolveSibling(name.substring(0, name.lastIndexOf('.')) + files.extension());
        if (!Files.isRegularFile(file)) {
            return files.fallback();
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new InvalidDatasetException("dataset", file + ": caption file is not UTF-8", e);
        }
        if (lines.isEmpty()) {
            throw new InvalidDatasetException("dataset", file + ": caption file is empty");
        }
        return lines.get(0).strip();
    }

    /**
     * kohya's class-image balancing: class images are taken in order, each with its repeats, until they count as
     * many as the instance images; if they count fewer, further rounds add one repeat to each in order until they
     * do. Class images not reached are left out.
     */
    static List<TrainingImage> balance(List<TrainingImage> classes, int instanceCount) {
        List<TrainingImage> kept = new ArrayList<>();
        if (classes.isEmpty()) {
            return kept;
        }
        int n = 0;
        for (TrainingImage image : classes) {
            if (n >= instanceCount) {
                break;
            }
            kept.add(image);
            n += image.repeats();
        }
        for (int i = 0; n < instanceCount; i = (i + 1) % kept.size()) {
            kept.set(i, kept.get(i).withRepeats(kept.get(i).repeats() + 1));
            n++;
        }
        return kept;
    }
}
