package dev.diffarm.engine.testing;

import dev.diffarm.api.control.ControlPreprocessor;
import dev.diffarm.api.image.Picture;
import java.util.Map;

/**
 * sd-webui-controlnet's {@code none} for the engine's tests: the picture is the control map. The real one is a
 * plugin's ({@code plugins/preprocessors}), which the engine's tests do not load; this one refuses options as the
 * interface asks.
 */
public final class PassThroughPreprocessor implements ControlPreprocessor {
    @Override
    public String name() {
        return "none";
    }

    @Override
    public Picture apply(Picture picture, Map<String, Double> options) {
        if (!options.isEmpty()) {
            throw new IllegalArgumentException("preprocessor none takes no options, got " + options.keySet());
        }
        return picture;
    }
}
