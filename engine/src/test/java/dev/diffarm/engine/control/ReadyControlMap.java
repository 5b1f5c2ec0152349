package dev.diffarm.engine.control;

import dev.diffarm.api.control.ControlPreprocessor;
import dev.diffarm.api.image.Picture;
import java.util.Map;

/**
 * sd-webui-controlnet's {@code none} for engine tests that build ControlNet units without the plugins: the picture is
 * already the control map and passes through unchanged (the preprocessors plugin's {@code none} does the same).
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
