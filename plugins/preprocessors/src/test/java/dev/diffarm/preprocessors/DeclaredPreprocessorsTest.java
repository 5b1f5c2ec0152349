package dev.diffarm.preprocessors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.diffarm.api.control.ControlPreprocessor;
import dev.diffarm.api.conformance.DeclaredExtensions;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The jar's extension index lists both preprocessors, so the engine finds them. */
class DeclaredPreprocessorsTest {
    @Test
    void declaresCannyAndNone() {
        assertEquals(List.of("canny", "none"),
                DeclaredExtensions.of(ControlPreprocessor.class).stream().map(ControlPreprocessor::name).sorted().toList());
    }
}
