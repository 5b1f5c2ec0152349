package dev.diffarm.engine.train.data;

import java.nio.file.Path;

/**
 * One image of a scanned dataset: kohya's {@code ImageInfo}.
 *
 * @param file        the image file (its real path, inside an allowed root)
 * @param folder      the name of its folder, the key of kohya's tag frequency
 * @param caption     its caption before the per-step transforms (shuffle, dropout)
 * @param repeats     how many times it counts per epoch; for class images, after kohya's balancing
 * @param classImage  true for a class (prior-preservation) image
 * @param size        its size, from the file's header
 */
public record TrainingImage(Path file, String folder, String caption, int repeats, boolean classImage, Size size) {

    /** The same image counted {@code newRepeats} times per epoch. */
    TrainingImage withRepeats(int newRepeats) {
        return new TrainingImage(file, folder, caption, newRepeats, classImage, size);
    }
}
