package dev.diffarm.engine.control;

import dev.diffarm.api.control.ControlPreprocessor;
import dev.diffarm.api.image.Picture;
import java.util.Map;

/**
 * sd-webui-controlnet's {@code none}: the user's picture is already the control map (a depth, pose or line-art map),
 * so it passes through unchanged. Built into the engine so that ready maps work without any preprocessor plugin; a
 * plugin that also answers to {@code none} is preferred.
 */
public final class ReadyControlMap implements ControlPreprocessor {
    public static final String NAME = "none";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Picture apply(Picture picture, Map<String, Double> options) {
        if (!options.isEmpty()) {
            throw new IllegalArgumentException("control preprocessor none takes no options, got "
                    + String.join(", ", options.keySet()));
        }
        return picture;
    }
}
