package dev.diffarm.api.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MethodOptionsTest {
    private final MethodOptions options = new MethodOptions(Map.of("network-dim", "8", "rank", "x", "alpha", "0",
            "lora-targets", " to_q, to_v ,", "blank", " "));

    @Test
    void readsGivenValuesAndFallsBackToTheDefault() {
        assertEquals(8, options.integer("network-dim", 4, 1));
        assertEquals(4, options.integer("missing", 4, 1));
        assertEquals(List.of("to_q", "to_v"), options.list("lora-targets"));
        assertEquals(List.of(), options.list("missing"));
        assertEquals("fallback", options.text("blank", "fallback"), "a blank value counts as not given");
        assertEquals(0.5, MethodOptions.none().number("prior-loss-weight", 0.5, 0));
    }

    @Test
    void aBadValueIsRejectedNamingTheOption() {
        assertEquals("--rank: expected an integer, got 'x'",
                assertThrows(IllegalArgumentException.class, () -> options.integer("rank", 4, 1)).getMessage());
        assertEquals("--network-dim: expected at least 16, got 8",
                assertThrows(IllegalArgumentException.class, () -> options.integer("network-dim", 4, 16)).getMessage());
        assertEquals("--rank: expected a number, got 'x'",
                assertThrows(IllegalArgumentException.class, () -> options.number("rank", 1, 0)).getMessage());
        assertEquals("--alpha: expected a number above 0, got 0",
                assertThrows(IllegalArgumentException.class, () -> options.positive("alpha", 1)).getMessage());
    }
}
