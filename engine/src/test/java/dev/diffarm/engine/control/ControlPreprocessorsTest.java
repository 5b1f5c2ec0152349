package dev.diffarm.engine.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.diffarm.api.control.ControlPreprocessor;
import dev.diffarm.api.image.Picture;
import dev.diffarm.engine.sampler.PluginOrigin;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Preprocessors are found by name or alias in any case; one whose name is taken is left out and reported. */
class ControlPreprocessorsTest {
    private record Named(String name, List<String> aliases) implements ControlPreprocessor {
        @Override
        public Picture apply(Picture picture, Map<String, Double> options) {
            return picture;
        }
    }

    private static ControlPreprocessors.Entry entry(ControlPreprocessor preprocessor, String plugin) {
        return new ControlPreprocessors.Entry(preprocessor, new PluginOrigin(plugin, "1.0"));
    }

    @Test
    void findsByNameOrAliasIgnoringCase() {
        Named depth = new Named("depth_midas", List.of("depth"));
        Named canny = new Named("canny", List.of());
        ControlPreprocessors preprocessors = new ControlPreprocessors(List.of(entry(depth, "a"), entry(canny, "a")));
        assertSame(depth, preprocessors.named("DEPTH"));
        assertSame(depth, preprocessors.named("Depth_Midas"));
        assertSame(canny, preprocessors.named("canny"));
        assertEquals(List.of("canny", "depth_midas"), preprocessors.names());
        assertEquals(List.of(), preprocessors.conflicts());
    }

    @Test
    void aPreprocessorAnsweringToATakenNameIsLeftOutAndReported() {
        Named first = new Named("none", List.of());
        Named second = new Named("passthrough", List.of("NONE"));
        ControlPreprocessors preprocessors = new ControlPreprocessors(List.of(entry(first, "a"), entry(second, "b")));
        assertSame(first, preprocessors.named("none"));
        assertEquals(List.of("none"), preprocessors.names());
        assertEquals(List.of("control preprocessor passthrough of plugin b 1.0 left out: [NONE] already taken by none "
                + "of plugin a 1.0"), preprocessors.conflicts());
    }
}
