package dev.diffarm.api.upscale;

import dev.diffarm.api.image.Picture;
import java.util.List;
import org.pf4j.ExtensionPoint;

/**
 * An upscaler that needs no model file: a resampling filter such as AUTOMATIC1111's {@code Lanczos} and
 * {@code Nearest}. Plugins provide them as PF4J extensions ({@code @Extension}); the engine selects one by
 * {@link #name} or an {@link #aliases alias}, ignoring case, and applies A1111's scale rule around it
 * ({@link ScaleRule}). Upscalers that run a network from a model file are {@link UpscalerArchitecture}s.
 *
 * <p>An upscaler is stateless and may serve several jobs at once.
 */
public interface Upscaler extends ExtensionPoint {
    /** The name users select it by and infotext records ({@code Hires upscaler: Lanczos}), as A1111 spells it. */
    String name();

    /** Other names users may select it by. */
    default List<String> aliases() {
        return List.of();
    }

    /**
     * {@code picture} resized to exactly {@code width} x {@code height}.
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    Picture resize(Picture picture, int width, int height);
}
