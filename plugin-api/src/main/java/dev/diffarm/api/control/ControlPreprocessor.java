package dev.diffarm.api.control;

import dev.diffarm.api.image.Picture;
import java.util.List;
import java.util.Map;
import org.pf4j.ExtensionPoint;

/**
 * Turns a user's picture into the control map a ControlNet was trained on (an edge map for a Canny model, a depth
 * map for a depth model), as sd-webui-controlnet's "preprocessor" (its "module") does. Plugins provide preprocessors
 * as PF4J extensions ({@code @Extension}); the engine selects one by {@link #name} or an {@link #aliases alias},
 * ignoring case. {@code "none"} passes a ready map through.
 *
 * <p>A preprocessor is stateless and may serve several jobs at once.
 */
public interface ControlPreprocessor extends ExtensionPoint {
    /** The name users select it by and infotext records ({@code Module: canny}), as sd-webui-controlnet spells it. */
    String name();

    /** Other names users may select it by. */
    default List<String> aliases() {
        return List.of();
    }

    /**
     * The options it takes, by name, each with its default as users know it (Canny: {@code low_threshold} 100,
     * {@code high_threshold} 200). Options not listed here are refused by {@link #apply}.
     */
    default Map<String, Double> defaults() {
        return Map.of();
    }

    /**
     * The control map for {@code picture}, the same size as it.
     *
     * @param picture the user's picture
     * @param options values for some of {@link #defaults}' names; the rest take their defaults
     * @throws IllegalArgumentException naming the option and the value when an option is unknown or out of range
     */
    Picture apply(Picture picture, Map<String, Double> options);
}
