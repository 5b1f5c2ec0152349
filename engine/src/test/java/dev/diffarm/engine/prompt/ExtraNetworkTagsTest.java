package dev.diffarm.engine.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExtraNetworkTagsTest {
    @Test
    void loraTagsAreRemovedAndListed() {
        ExtraNetworkTags tags = ExtraNetworkTags.extract("a cat <lora:lora-a:0.8>, snow <lora:b>");
        assertEquals("a cat , snow ", tags.text());
        assertEquals(List.of(new LoraTag("lora-a", 0.8), new LoraTag("b", 1.0)), tags.loras());
    }

    @Test
    void otherExtraNetworksAreRemovedOnly() {
        ExtraNetworkTags tags = ExtraNetworkTags.extract("<hypernet:h:1>a <zwx> b");
        assertEquals("a <zwx> b", tags.text());
        assertEquals(List.of(), tags.loras());
    }

    @Test
    void promptWithoutTagsIsUnchanged() {
        assertEquals("a (b:1.2) [c:d:0.5]", ExtraNetworkTags.extract("a (b:1.2) [c:d:0.5]").text());
    }

    @Test
    void badWeightIsReportedWithTheTag() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExtraNetworkTags.extract("x <lora:a:heavy>"));
        assertTrue(e.getMessage().contains("<lora:a:heavy>: weight 'heavy' is not a number"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ExtraNetworkTags.extract("<lora:a:0.5:0.7>"));
        assertTrue(e.getMessage().contains("expected <lora:NAME> or <lora:NAME:WEIGHT>"), e.getMessage());
    }
}
