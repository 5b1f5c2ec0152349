package dev.diffarm.engine.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CaptionRuleTest {
    private static final String CAPTION = "zwx person, red hat,outdoors , smiling, looking at viewer, park";

    @Test
    void shuffleKeepsTheLeadingTokensAndPermutesTheRest() {
        CaptionRule rule = new CaptionRule(true, 2, 0.0, 0.0, ",");
        Set<String> seen = new HashSet<>();
        for (int epoch = 0; epoch < 40; epoch++) {
            String out = rule.apply(CAPTION, DataRandom.forEpoch(7, epoch));
            List<String> tags = Arrays.asList(out.split(", "));
            assertEquals(List.of("zwx person", "red hat"), tags.subList(0, 2));
            assertEquals(Set.of("outdoors", "smiling", "looking at viewer", "park"), new HashSet<>(tags.subList(2, 6)));
            seen.add(out);
        }
        assertTrue(seen.size() > 10, "40 shuffles of 4 tags gave only " + seen.size() + " orders");
        assertEquals(rule.apply(CAPTION, DataRandom.forEpoch(7, 3)), rule.apply(CAPTION, DataRandom.forEpoch(7, 3)));
    }

    @Test
    void withoutShuffleTheCaptionIsUsedAsWritten() {
        assertEquals(CAPTION, CaptionRule.AS_WRITTEN.apply(CAPTION, DataRandom.forEpoch(1, 0)));
    }

    @Test
    void dropoutEmptiesAboutItsRateOfCaptions() {
        CaptionRule rule = new CaptionRule(false, 0, 0.25, 0.0, ",");
        DataRandom random = DataRandom.forEpoch(99, 0);
        int dropped = 0;
        for (int i = 0; i < 4000; i++) {
            if (rule.apply(CAPTION, random).isEmpty()) {
                dropped++;
            }
        }
        assertTrue(Math.abs(dropped - 1000) < 120, dropped + " of 4000 dropped at rate 0.25");
        assertEquals("", new CaptionRule(true, 1, 1.0, 0.0, ",").apply(CAPTION, random));
    }

    @Test
    void tagDropoutDropsOnlyFlexibleTagsAndKeepsTheirOrderWithoutShuffle() {
        CaptionRule rule = new CaptionRule(false, 1, 0.0, 0.5, ",");
        DataRandom random = DataRandom.forEpoch(3, 0);
        int tagsKept = 0;
        for (int i = 0; i < 400; i++) {
            List<String> tags = Arrays.asList(rule.apply("a, b, c, d, e", random).split(", "));
            assertEquals("a", tags.get(0));
            List<String> sorted = new ArrayList<>(tags.subList(1, tags.size()));
            sorted.sort(null);
            assertEquals(sorted, tags.subList(1, tags.size()), "without shuffle the order stays");
            tagsKept += tags.size() - 1;
        }
        assertTrue(Math.abs(tagsKept - 800) < 80, tagsKept + " of 1600 flexible tags kept at rate 0.5");
        assertEquals("a", new CaptionRule(false, 1, 0.0, 1.0, ",").apply("a, b, c", random));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CaptionRule(false, 0, 0.0, -0.1, ","));
        assertTrue(e.getMessage().startsWith("captionTagDropoutRate"), e.getMessage());
    }

    @Test
    void permutationIsTorchsFisherYatesOverTheGenerator() {
        int[] counts = new int[5];
        for (int seed = 0; seed < 5000; seed++) {
            int[] p = DataRandom.forEpoch(seed, 0).permutation(5);
            int[] sorted = p.clone();
            Arrays.sort(sorted);
            assertEquals("[0, 1, 2, 3, 4]", Arrays.toString(sorted));
            counts[p[0]]++;
        }
        for (int c : counts) {
            assertTrue(Math.abs(c - 1000) < 120, "first element counts " + Arrays.toString(counts));
        }
        assertNotEquals(Arrays.toString(DataRandom.forEpoch(1, 0).permutation(8)),
                Arrays.toString(DataRandom.forEpoch(1, 1).permutation(8)));
    }

    @Test
    void badRulesAreRefusedNamingTheOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CaptionRule(false, 0, 1.5, 0.0, ","));
        assertTrue(e.getMessage().startsWith("captionDropoutRate"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CaptionRule(true, -1, 0, 0, ","));
    }
}
