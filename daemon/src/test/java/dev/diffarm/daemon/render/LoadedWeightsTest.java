package dev.diffarm.daemon.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.render.LoadedWeights.Kind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One worker's loaded weights under one budget, with stand-ins that record their loading and freeing: what was used
 * longest ago goes first whatever its kind, what is in use never, and an entry of changed files is loaded anew and the
 * old one freed once nothing uses it.
 */
class LoadedWeightsTest {
    private final List<String> events = new ArrayList<>();

    /** A stand-in for loaded weights, which records when it is loaded and freed. */
    private final class Weights implements AutoCloseable {
        final String name;

        Weights(String name) {
            this.name = name;
            events.add("load " + name);
        }

        @Override
        public void close() {
            events.add("free " + name);
        }
    }

    private LoadedWeights.Lease<Weights> use(LoadedWeights weights, Kind kind, String name, String stamp, long bytes) {
        return weights.use(new LoadedWeights.Key(kind, name, stamp), bytes, () -> new Weights(name + "@" + stamp));
    }

    @Test
    void whatWasUsedLongestAgoMakesRoomWhateverItsKind() {
        try (LoadedWeights weights = new LoadedWeights(100)) {
            use(weights, Kind.MODEL, "sd15", "1", 60).close();
            use(weights, Kind.CONTROLNET, "canny", "1", 30).close();
            use(weights, Kind.MODEL, "sd15", "1", 60).close();
            assertEquals(List.of("load sd15@1", "load canny@1"), events, "the model used again is not loaded again");
            assertEquals(90, weights.bytes());

            use(weights, Kind.UPSCALER, "esrgan", "1", 20).close();
            assertEquals("free canny@1", events.get(events.size() - 2), "the ControlNet, used longest ago, made room");
            assertEquals(List.of("sd15"), weights.names(Kind.MODEL));
            assertEquals(List.of(), weights.names(Kind.CONTROLNET));
            assertEquals(List.of("esrgan"), weights.names(Kind.UPSCALER));
            assertEquals(80, weights.bytes());
        }
        assertEquals(List.of("free sd15@1", "free esrgan@1"), events.subList(events.size() - 2, events.size()),
                "closed: everything freed");
    }

    @Test
    void anEntryInUseIsNeverFreedEvenOverTheBudget() {
        try (LoadedWeights weights = new LoadedWeights(100)) {
            LoadedWeights.Lease<Weights> model = use(weights, Kind.MODEL, "sd15", "1", 80);
            LoadedWeights.Lease<Weights> controlNet = use(weights, Kind.CONTROLNET, "canny", "1", 50);
            assertEquals(130, weights.bytes(), "both in use: over the budget");
            assertFalse(events.contains("free sd15@1"));
            model.close();
            use(weights, Kind.UPSCALER, "esrgan", "1", 40).close();
            assertEquals(List.of(), weights.names(Kind.MODEL), "released, the model made room");
            assertEquals(List.of("canny"), weights.names(Kind.CONTROLNET), "the ControlNet, in use, stays");
            assertSame(controlNet.value(), use(weights, Kind.CONTROLNET, "canny", "1", 50).value());
        }
    }

    @Test
    void changedFilesAreLoadedAnewAndTheOldEntryFreedOnceReleased() {
        try (LoadedWeights weights = new LoadedWeights(1000)) {
            LoadedWeights.Lease<Weights> before = use(weights, Kind.CONTROLNET, "canny", "size 5 @1", 10);
            LoadedWeights.Lease<Weights> after = use(weights, Kind.CONTROLNET, "canny", "size 5 @2", 10);
            assertEquals("canny@size 5 @2", after.value().name);
            assertEquals(List.of("canny", "canny"), weights.names(Kind.CONTROLNET), "the old one is in use still");
            before.close();
            assertEquals(List.of("canny"), weights.names(Kind.CONTROLNET));
            assertTrue(events.contains("free canny@size 5 @1"));
            after.close();
            use(weights, Kind.CONTROLNET, "canny", "size 6 @3", 10).close();
            assertEquals(List.of("canny"), weights.names(Kind.CONTROLNET), "not in use: freed when the new one loads");
            assertTrue(events.contains("free canny@size 5 @2"));
        }
    }

    @Test
    void aLoadThatFailsKeepsNothing() {
        try (LoadedWeights weights = new LoadedWeights(100)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> weights.use(
                    new LoadedWeights.Key(Kind.UPSCALER, "broken", "1"), 10, () -> {
                        throw new IllegalStateException("not a network");
                    }));
            assertEquals("not a network", e.getMessage());
            assertEquals(List.of(), weights.names(Kind.UPSCALER));
            assertEquals(0, weights.bytes());
        }
    }

    @Test
    void aBudgetOfNothingIsRefusedNamingTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LoadedWeights(0));
        assertEquals("DIFFARM_MODEL_CACHE_BYTES = 0: expected a number of bytes above 0", e.getMessage());
    }
}
