package dev.diffarm.engine.demo;

import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.image.RgbImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The generic pictures the training demo's base model learns to denoise before any LoRA: plain backgrounds of ten
 * colours, each under three captions that name the colour first ({@code "blue background"},
 * {@code "blue background, plain"}, ...). None has the red disc of {@link MotifImages} and none is red, so that the
 * base model renders the motif's captions without it.
 *
 * <p>Why the colour comes first, as in the motif's captions: the demo's text encoder is random and reads bytes, and in
 * a causal encoder what comes first is encoded the same whatever follows, so the base model finds the colour where it
 * learned it; the captions with words after the colour teach it that other words add nothing.
 */
final class PretrainingImages {
    static final List<MotifImages.Background> COLOURS;

    static {
        List<MotifImages.Background> colours = new ArrayList<>(MotifImages.BACKGROUNDS);
        colours.add(new MotifImages.Background("orange", 0.95f, 0.60f, 0.20f));
        colours.add(new MotifImages.Background("purple", 0.50f, 0.30f, 0.65f));
        colours.add(new MotifImages.Background("cyan", 0.30f, 0.80f, 0.85f));
        colours.add(new MotifImages.Background("brown", 0.45f, 0.32f, 0.20f));
        COLOURS = List.copyOf(colours);
    }

    /** Words after the colour in the captions. */
    private static final List<String> OTHER_WORDS = List.of("plain", "nothing else", "empty", "no shapes", "flat colour");

    /** A picture of the set and its caption. */
    record Picture(String caption, RgbImage image) {
    }

    private PretrainingImages() {
    }

    /** Every picture of the set: per colour, the background alone, then with two of {@link #OTHER_WORDS}. */
    static List<Picture> all() {
        List<Picture> pictures = new ArrayList<>();
        for (int b = 0; b < COLOURS.size(); b++) {
            MotifImages.Background background = COLOURS.get(b);
            RgbImage plain = new RgbImage(MotifImages.SIDE, MotifImages.SIDE, MotifImages.plain(background));
            pictures.add(new Picture(background.name() + " background", plain));
            for (int w = 0; w < 2; w++) {
                pictures.add(new Picture(background.name() + " background, "
                        + OTHER_WORDS.get((2 * b + w) % OTHER_WORDS.size()), plain));
            }
        }
        return pictures;
    }

    /** Writes every picture and its caption (kohya's {@code img.txt} beside {@code img.png}) into {@code dir}. */
    static Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Picture> pictures = all();
        for (int i = 0; i < pictures.size(); i++) {
            String stem = String.format("%03d", i);
            PngWriter.write(pictures.get(i).image(), "", dir.resolve(stem + ".png"));
            Files.writeString(dir.resolve(stem + ".txt"), pictures.get(i).caption(), StandardCharsets.UTF_8);
        }
        return dir;
    }
}
