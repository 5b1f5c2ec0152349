package dev.diffarm.engine.train.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads a dataset laid out as kohya users keep one: {@code train/10_zwx person/img.png} with {@code img.txt}
 * beside it means 10 repeats and, for images without a caption file, the caption {@code zwx person} (kohya's class
 * tokens: the folder name after the first {@code _}). A reg folder of the same layout holds the class images.
 * Images directly in the train folder form one set of 1 repeat with no fallback caption (a plain folder of
 * captioned images, like the fixture's {@code train-data/}). Folders are taken in name order; hidden ones are
 * skipped; any other folder whose name does not start with a repeat count is an error (kohya warns and ignores it,
 * which on a farm hides a typo until the model comes out wrong).
 */
public final class KohyaFolders {
    private static final Pattern REPEAT_FOLDER = Pattern.compile("(\\d+)(?:_(.*))?", Pattern.DOTALL);

    private KohyaFolders() {
    }

    /** The image sets of {@code trainDir} and, if given, of {@code regDir} (as class images). */
    public static List<ImageSet> read(Path trainDir, Optional<Path> regDir, String captionExtension)
            throws IOException {
        List<ImageSet> sets = new ArrayList<>(read(trainDir, false, captionExtension));
        if (regDir.isPresent()) {
            sets.addAll(read(regDir.get(), true, captionExtension));
        }
        return sets;
    }

    private static List<ImageSet> read(Path root, boolean classImages, String captionExtension) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new InvalidDatasetException("dataset", root + ": not a folder");
        }
        List<ImageSet> sets = new ArrayList<>();
        if (!DatasetScanner.imagesIn(root).isEmpty()) {
            sets.add(new ImageSet(root, 1, classImages, new CaptionSource.CaptionFiles(captionExtension, "")));
        }
        List<Path> folders;
        try (Stream<Path> children = Files.list(root)) {
            folders = children.filter(Files::isDirectory)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        }
        for (Path folder : folders) {
            String name = folder.getFileName().toString();
            Matcher m = REPEAT_FOLDER.matcher(name);
            if (!m.matches()) {
                throw new InvalidDatasetException("dataset",
                        folder + ": a dataset folder's name must be <repeats>_<class tokens>, "
                        + "like 10_zwx person");
            }
            int repeats;
            try {
                repeats = Integer.parseInt(m.group(1));
            } catch (NumberFormatException e) {
                throw new InvalidDatasetException("dataset",
                        folder + ": repeat count " + m.group(1) + " is too large", e);
            }
            if (repeats < 1) {
                throw new InvalidDatasetException("dataset",
                        folder + ": repeat count must be at least 1, got " + repeats);
            }
            sets.add(new ImageSet(folder, repeats, classImages,
                    new CaptionSource.CaptionFiles(captionExtension, m.group(2) == null ? "" : m.group(2))));
        }
        if (sets.isEmpty()) {
            throw new InvalidDatasetException("dataset", root + ": no images and no <repeats>_<class tokens> folders");
        }
        return sets;
    }
}
