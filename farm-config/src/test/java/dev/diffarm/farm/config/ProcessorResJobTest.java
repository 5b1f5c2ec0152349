package dev.diffarm.farm.config;

import static dev.diffarm.farm.config.ModeJobs.RENDER;
import static dev.diffarm.farm.config.ModeJobs.SCHEMA;
import static dev.diffarm.farm.config.ModeJobs.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A ControlNet unit's {@code processorRes}: read, written back, in the parameter hash only when set, and refused
 * outside sd-webui-controlnet's range or without a preprocessor, naming the field.
 */
class ProcessorResJobTest {
    private final JobParser parser = new JobParser();

    @Test
    void aUnitsResolutionIsReadWrittenBackAndHashedOnlyWhenSet() {
        RenderJob at512 = render(unit(", \"module\": \"canny\", \"processorRes\": 512"));
        RenderJob asItIs = render(unit(", \"module\": \"canny\""));

        assertEquals(OptionalInt.of(512), at512.settings().modes().controlNets().get(0).processorRes());
        assertEquals(OptionalInt.empty(), asItIs.settings().modes().controlNets().get(0).processorRes());
        assertEquals(at512, parser.parse(at512.toJson()).orElseThrow());
        assertEquals(Set.of(), SCHEMA.validate(read(at512.toJson())), at512.toJson());
        String hashedAsItIs = asItIs.plan().tasks().get(0).parameters().toJson();
        assertFalse(hashedAsItIs.contains("processorRes"), hashedAsItIs);
        assertTrue(at512.plan().tasks().get(0).parameters().toJson().contains("\"processorRes\":512"));
        assertNotEquals(asItIs.plan().tasks().get(0).parameterHash(), at512.plan().tasks().get(0).parameterHash());
    }

    @Test
    void aResolutionOutsideTheSliderOrWithoutAPreprocessorIsRefusedNamingIt() {
        assertEquals(List.of("controlnets[0].processorRes = 32: expected an integer in 64..2048"),
                errors(unit(", \"module\": \"canny\", \"processorRes\": 32")));
        assertEquals(List.of("controlnets[0].processorRes = 512: expected this field only together with a \"module\" "
                + "other than \"none\""), errors(unit(", \"processorRes\": 512")));
        assertFalse(SCHEMA.validate(read("{" + RENDER + ", \"controlnets\": [" + unit(", \"processorRes\": 512")
                + "]}")).isEmpty(), "the schema refuses it without a module too");
        assertFalse(SCHEMA.validate(read("{" + RENDER + ", \"controlnets\": [" + unit(", \"module\": \"canny\", "
                + "\"processorRes\": 4096") + "]}")).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> new ControlNetUnit("c", new StoredImage("inputs/a.png"),
                "none", 1, 0, 1, OptionalDouble.empty(), OptionalDouble.empty(), InitResizeMode.JUST_RESIZE,
                OptionalInt.of(512)));
    }

    private static String unit(String more) {
        return "{\"model\": \"control_canny\", \"image\": \"inputs/a.png\"" + more + "}";
    }

    private RenderJob render(String unit) {
        return (RenderJob) parser.parse("{" + RENDER + ", \"controlnets\": [" + unit + "]}").orElseThrow();
    }

    private List<String> errors(String unit) {
        ParseResult.Invalid invalid = assertInstanceOf(ParseResult.Invalid.class, parser.parse("{" + RENDER
                + ", \"controlnets\": [" + unit + "]}"));
        return invalid.errors().stream().map(ValidationError::message).toList();
    }
}
