package dev.diffarm.engine.pipeline;

import dev.diffarm.api.upscale.Tiling;
import dev.diffarm.engine.upscale.Upscalers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How the hires fix enlarges its first pass, as A1111's "Hires upscaler" setting chooses: in latent space
 * ({@link LatentUpscaler}) or as a picture with an upscaler plugin ({@link ImageHiresUpscaler}: decoded, upscaled,
 * encoded again).
 */
public sealed interface HiresUpscaler permits LatentUpscaler, ImageHiresUpscaler {
    /** The name A1111 shows and writes in {@code Hires upscaler:}. */
    String label();

    /**
     * The upscaler A1111 names {@code name}, case ignored: a latent mode ({@code Latent}, ...), an upscaler plugin's
     * resampler ({@code Lanczos}), or a model file loaded now with A1111's default tiling (192, overlap 8).
     *
     * @throws IllegalArgumentException naming {@code field} and listing the known names when it is none of them
     */
    static HiresUpscaler named(String name, Upscalers upscalers, String field) {
        for (LatentUpscaler latent : LatentUpscaler.values()) {
            if (latent.label().equalsIgnoreCase(name)) {
                return latent;
            }
        }
        if (upscalers.resampler(name).isPresent() || Files.isRegularFile(Path.of(name))) {
            return new ImageHiresUpscaler(upscalers.open(field, name, Tiling.A1111));
        }
        String latents = Arrays.stream(LatentUpscaler.values()).map(LatentUpscaler::label)
                .collect(Collectors.joining(", "));
        throw new IllegalArgumentException(field + " = " + name + ": expected one of " + latents
                + (upscalers.names().isEmpty() ? "" : ", " + String.join(", ", upscalers.names()))
                + ", or an upscaler model file (.safetensors, .pth) of " + upscalers.architectures());
    }
}
