package dev.diffarm.engine.upscale;

import dev.diffarm.api.Progress;
import dev.diffarm.api.image.Picture;
import dev.diffarm.engine.image.PngReader;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.train.data.Rgb8Image;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * One picture upscaled as AUTOMATIC1111's Extras tab does it, as a PNG: the pixels through an {@link ImageUpscaler},
 * the source's generation parameters kept and the Extras fields added ({@code Postprocess upscale by: 4, Postprocess
 * upscaler: 4x-UltraSharp}). The CLI's {@code upscale} and the farm's upscale jobs both make their PNGs here, so a
 * picture upscaled either way is the same file.
 */
public final class ExtrasUpscale {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private ExtrasUpscale() {
    }

    /** The side {@code side} becomes at {@code scale}: A1111 rounds the Extras size down to a multiple of 8. */
    public static int upscaledSide(int side, double scale) {
        return (int) (side * scale) / 8 * 8;
    }

    /**
     * The PNG of {@code source} upscaled {@code scale} times by {@code upscaler}.
     *
     * @param sourceParameters the source's A1111 generation parameters, if it has them ({@link #sourceParameters})
     * @throws java.util.concurrent.CancellationException if {@code progress} is cancelled between tiles
     */
    public static byte[] png(Rgb8Image source, Optional<String> sourceParameters, ImageUpscaler upscaler, double scale,
                             Progress progress) {
        Picture result = upscaler.upscale(Picture.fromRgb8(source.width(), source.height(), source.rgb()), scale,
                progress);
        return PngWriter.encode(new RgbImage(result.width(), result.height(), result.chw()),
                parameters(sourceParameters, scale, upscaler.label()));
    }

    /**
     * The PNG of a freshly rendered image upscaled as {@link #png(Rgb8Image, Optional, ImageUpscaler, double, Progress)}
     * upscales the PNG the render would store: the image's samples as that PNG holds them, its {@code infotext} as the
     * source's parameters. So a render job's upscale step stores the file that {@code render} then {@code upscale}
     * make on the command line.
     *
     * @throws java.util.concurrent.CancellationException if {@code progress} is cancelled between tiles
     */
    public static byte[] png(RgbImage rendered, String infotext, ImageUpscaler upscaler, double scale,
                             Progress progress) {
        return png(PngWriter.samples(rendered), Optional.of(infotext), upscaler, scale, progress);
    }

    /** The source's generation parameters with the Extras fields added to their last line, as A1111 writes them. */
    public static String parameters(Optional<String> source, double scale, String upscalerLabel) {
        String fields = String.format(Locale.ROOT, "Postprocess upscale by: %s, Postprocess upscaler: %s",
                scale == Math.rint(scale) ? String.valueOf((long) scale) : String.valueOf(scale), upscalerLabel);
        return source.filter(text -> !text.isBlank()).map(text -> text + ", " + fields).orElse(fields);
    }

    /** The generation parameters of the picture file {@code file}: a PNG's {@code parameters} text, if any. */
    public static Optional<String> sourceParameters(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(PNG_SIGNATURE.length);
        }
        return Arrays.equals(head, PNG_SIGNATURE) ? PngReader.readParameters(file) : Optional.empty();
    }
}
