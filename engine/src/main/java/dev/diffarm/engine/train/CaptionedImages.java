package dev.diffarm.engine.train;

import dev.diffarm.engine.image.PngReader;
import dev.diffarm.engine.image.RgbImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The simplest training set: the PNG images of one folder in name order, each with its caption in the {@code .txt}
 * file of the same name (kohya's caption-file convention), used as they are (no buckets, no crop). The full data side
 * (buckets, repeat folders, caption handling, other formats) lives in {@code dev.diffarm.engine.train.data}.
 */
public final class CaptionedImages {
    private CaptionedImages() {
    }

    /** One image with its caption; pixels [3, H, W] in [0, 1]. */
    public record Example(String name, RgbImage image, String caption) {
    }

    /**
     * @throws IllegalArgumentException if the folder holds no PNG, an image lacks its caption, or the images differ
     *                                  in size
     */
    public static List<Example> read(Path folder) {
        return read(folder, Optional.empty());
    }

    /**
     * The images of {@code folder}, each captioned {@code caption} if given (DreamBooth's instance or class prompt;
     * caption files are then not read), else by its caption file.
     */
    public static List<Example> read(Path folder, Optional<String> caption) {
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("data: " + folder + " is not a folder");
        }
        List<Path> pngs;
        try (Stream<Path> files = Files.list(folder)) {
            pngs = files.filter(p -> p.getFileName().toString().toLowerCase().endsWith(".png")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
        if (pngs.isEmpty()) {
            throw new IllegalArgumentException("data: " + folder + " holds no PNG image");
        }
        List<Example> out = new ArrayList<>();
        for (Path png : pngs) {
            String file = png.getFileName().toString();
            String stem = file.substring(0, file.lastIndexOf('.'));
            Path captionFile = png.resolveSibling(stem + ".txt");
            if (caption.isEmpty() && !Files.isRegularFile(captionFile)) {
                throw new IllegalArgumentException("data: image " + png + " has no caption file "
                        + captionFile.getFileName());
            }
            try {
                RgbImage image = PngReader.readImage(png);
                String text = caption.isPresent() ? caption.get()
                        : Files.readString(captionFile, StandardCharsets.UTF_8).strip();
                if (!out.isEmpty() && (out.get(0).image().width() != image.width()
                        || out.get(0).image().height() != image.height())) {
                    throw new IllegalArgumentException("data: " + png + " is " + image.width() + "x" + image.height()
                            + " but " + out.get(0).name() + " is " + out.get(0).image().width() + "x"
                            + out.get(0).image().height() + "; without buckets every image must have the same size");
                }
                out.add(new Example(file, image, text));
            } catch (IOException e) {
                throw new IllegalArgumentException("data: cannot read " + png + ": " + e.getMessage(), e);
            }
        }
        return out;
    }
}
