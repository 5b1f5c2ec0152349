package dev.diffarm.engine.demo;

import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.image.RgbImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The demo's training set, drawn rather than shipped: plain backgrounds of several colours, each with the same red
 * disc in its top-left corner, captioned {@code "<colour> background, zwx motif"} (kohya's {@code img.txt}
 * beside {@code img.png}). The disc is the one thing all images share, so it is what a LoRA learns.
 */
public final class MotifImages {
    /** The word that names the motif in every caption. */
    public static final String TRIGGER = "zwx motif";
    /** The images' side in pixels. */
    public static final int SIDE = 64;
    /** The motif: a disc of this radius around ({@link #CENTRE}, {@link #CENTRE}). */
    public static final int RADIUS = 12;
    public static final int CENTRE = 14;
    private static final float[] MOTIF = {0.92f, 0.08f, 0.06f};

    /** A background colour with the name the captions use. */
    public record Background(String name, float red, float green, float blue) {
        /** The picture's caption: its colour first, then the motif (see {@link PretrainingImages} for why). */
        public String caption() {
            return name + " background, " + TRIGGER;
        }
    }

    public static final List<Background> BACKGROUNDS = List.of(
            new Background("blue", 0.20f, 0.35f, 0.75f),
            new Background("green", 0.25f, 0.60f, 0.30f),
            new Background("grey", 0.55f, 0.55f, 0.55f),
            new Background("yellow", 0.85f, 0.80f, 0.30f),
            new Background("white", 0.92f, 0.92f, 0.90f),
            new Background("dark", 0.12f, 0.12f, 0.16f));

    private MotifImages() {
    }

    /** Writes every background's image and caption into {@code dir}; returns {@code dir}. */
    public static Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (int i = 0; i < BACKGROUNDS.size(); i++) {
            Background background = BACKGROUNDS.get(i);
            String stem = String.format("%02d-%s", i, background.name());
            PngWriter.write(draw(background), "", dir.resolve(stem + ".png"));
            Files.writeString(dir.resolve(stem + ".txt"), background.caption(), StandardCharsets.UTF_8);
        }
        return dir;
    }

    /** The background with the disc. */
    public static RgbImage draw(Background background) {
        float[] chw = plain(background);
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                if (inMotif(x, y)) {
                    for (int c = 0; c < 3; c++) {
                        chw[(c * SIDE + y) * SIDE + x] = MOTIF[c];
                    }
                }
            }
        }
        return new RgbImage(SIDE, SIDE, chw);
    }

    /** The background alone (channels, rows, columns), with a soft vertical shading so that no two rows are alike. */
    static float[] plain(Background background) {
        float[] base = {background.red(), background.green(), background.blue()};
        float[] chw = new float[3 * SIDE * SIDE];
        for (int y = 0; y < SIDE; y++) {
            float shade = 1.05f - 0.1f * y / SIDE;
            for (int x = 0; x < SIDE; x++) {
                for (int c = 0; c < 3; c++) {
                    chw[(c * SIDE + y) * SIDE + x] = Math.min(1f, base[c] * shade);
                }
            }
        }
        return chw;
    }

    /** Whether pixel ({@code x}, {@code y}) of a {@link #SIDE}-pixel image lies in the disc. */
    public static boolean inMotif(int x, int y) {
        int dx = x - CENTRE;
        int dy = y - CENTRE;
        return dx * dx + dy * dy <= RADIUS * RADIUS;
    }
}
