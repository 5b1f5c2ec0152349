package dev.diffarm.engine.cli;

import dev.diffarm.engine.train.data.ImageDecoder;
import dev.diffarm.engine.train.data.Rgb8Image;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Pictures the commands read (PNG, JPEG, WebP), with the decoder's pixel limit against decompression bombs. */
final class ImageFiles {
    private static final ImageDecoder DECODER = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS);

    private ImageFiles() {
    }

    /** The pixels of {@code file}, named by {@code option} in the error if it cannot be read. */
    static Rgb8Image read(String option, Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(option + " " + file + ": no such file");
        }
        return DECODER.decode(file);
    }
}
