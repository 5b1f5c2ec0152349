package dev.diffarm.preprocessors;

import dev.diffarm.api.control.ControlPreprocessor;
import dev.diffarm.api.image.Picture;
import java.util.Map;
import org.pf4j.Extension;

/**
 * sd-webui-controlnet's {@code none}: the user's picture is already the control map (a depth map, a pose skeleton,
 * line art), so it goes to the ControlNet as it is. It takes no options.
 */
@Extension
public final class PassThrough implements ControlPreprocessor {

    @Override
    public String name() {
        return "none";
    }

    /** The picture itself, not a copy, as pictures are handed between the engine and plugins. */
    @Override
    public Picture apply(Picture picture, Map<String, Double> options) {
        PreprocessorOptions.resolve(name(), defaults(), options);
        return picture;
    }
}
