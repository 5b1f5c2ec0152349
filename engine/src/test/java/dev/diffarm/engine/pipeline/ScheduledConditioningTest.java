package dev.diffarm.engine.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.api.Denoiser;
import dev.diffarm.api.Progress;
import dev.diffarm.api.Sigmas;
import dev.diffarm.engine.model.ModelFiles;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.prompt.PromptSchedule;
import dev.diffarm.engine.prompt.ScheduledPrompt;
import dev.diffarm.engine.random.TorchGenerator;
import dev.diffarm.engine.testing.TestSamplers;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.unet.UNet2DConditionModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Prompt editing and alternation at run time: which embeddings each sampling step gets. */
class ScheduledConditioningTest {
    private static final int WIDTH = 4;
    private final NDManager manager = NDManager.newBaseManager();

    @AfterEach
    void close() {
        manager.close();
    }

    /** [1, 77 * chunks, WIDTH] filled with {@code value}. */
    private NDArray filled(float value, int chunks) {
        return manager.full(new Shape(1, 77L * chunks, WIDTH), value);
    }

    /** A schedule with each text's array; entries of the same text share it, as {@link PromptEncoder} makes them. */
    private static List<Conditioning.Timed> timed(List<ScheduledPrompt> schedule, Map<String, NDArray> byText) {
        List<Conditioning.Timed> timed = new ArrayList<>();
        for (ScheduledPrompt entry : schedule) {
            timed.add(new Conditioning.Timed(entry.endStep(), byText.get(entry.text())));
        }
        return timed;
    }

    private Conditioning conditioning(String prompt, Map<String, NDArray> byText, NDArray negative, int steps) {
        List<ScheduledPrompt> schedule = PromptSchedule.parse(prompt).over(steps);
        List<Conditioning.Timed> uncond = List.of(new Conditioning.Timed(steps, negative));
        return Conditioning.scheduled(uncond, timed(schedule, byText), () -> filled(9, 1), 1, List.of());
    }

    @Test
    void editHalfwayThroughTwentySteps() {
        assertEquals(List.of(new ScheduledPrompt(10, "a"), new ScheduledPrompt(20, "b")),
                PromptSchedule.parse("[a:b:0.5]").over(20));
        NDArray a = filled(1, 1);
        NDArray b = filled(2, 1);
        NDArray negative = filled(-1, 1);
        Conditioning conditioning = conditioning("[a:b:0.5]", Map.of("a", a, "b", b), negative, 20);
        for (int step = 0; step < 20; step++) {
            assertSame(step <= 10 ? a : b, conditioning.cond(step), "prompt at step " + step);
            assertSame(negative, conditioning.uncond(step), "negative prompt at step " + step);
        }
    }

    /** A1111 compares its step (from 0) with the entries' ends 1, 2, 3, 4: steps 0 and 1 both get the first. */
    @Test
    void alternationOverFourSteps() {
        NDArray a = filled(1, 1);
        NDArray b = filled(2, 1);
        Conditioning conditioning = conditioning("[a|b]", Map.of("a", a, "b", b), filled(-1, 1), 4);
        assertSame(a, conditioning.cond(0));
        assertSame(a, conditioning.cond(1));
        assertSame(b, conditioning.cond(2));
        assertSame(a, conditioning.cond(3));
    }

    @Test
    void shorterPromptIsPaddedWithTheEmptyPromptAndRepeatedForTheBatch() {
        NDArray longPrompt = filled(1, 2);
        NDArray shortNegative = filled(-1, 1);
        NDArray empty = filled(9, 1);
        Conditioning conditioning = Conditioning.scheduled(List.of(new Conditioning.Timed(5, shortNegative)),
                List.of(new Conditioning.Timed(5, longPrompt)), () -> empty, 2, List.of());
        NDArray uncond = conditioning.uncond(0);
        assertEquals(new Shape(2, 154, WIDTH), uncond.getShape());
        assertEquals(new Shape(2, 154, WIDTH), conditioning.cond(0).getShape());
        assertArrayEquals(empty.get(new NDIndex("0")).toFloatArray(), uncond.get(new NDIndex("1, 77:")).toFloatArray());
        assertArrayEquals(shortNegative.get(new NDIndex("0")).toFloatArray(), uncond.get(new NDIndex("0, :77")).toFloatArray());
    }

    @Test
    void stepTrackerFollowsTheSamplersStepsAndForwardsThem() {
        List<Integer> reported = new ArrayList<>();
        StepTracker tracker = new StepTracker(new Progress() {
            @Override
            public void onStep(int step, int total, NDArray x) {
                reported.add(step);
            }
        });
        List<Integer> seen = new ArrayList<>();
        Denoiser recording = (x, sigma) -> {
            seen.add(tracker.getAsInt());
            return x.mul(0.5f);
        };
        NDArray x = manager.ones(new Shape(1, 4, 2, 2));
        TestSamplers.sampler("Euler a")
                .sample(recording, x, Sigmas.of(new double[] {10, 5, 2, 1, 0.5, 0}), new TorchGenerator(1), tracker);
        assertEquals(List.of(0, 1, 2, 3, 4), seen);
        assertEquals(List.of(0, 1, 2, 3, 4), reported);
    }

    @Test
    void guidedDenoiserUsesTheConditioningOfTheStep() {
        try (ModelFiles files = ModelFiles.open(Fixtures.sdTiny("model"), Optional.empty())) {
            UNet2DConditionModel unet = new UNet2DConditionModel(new Weights(files.unet().tensors(), manager),
                    files.unet().config());
            NDArray a = manager.randomNormal(new Shape(1, 77, 32));
            NDArray b = manager.randomNormal(new Shape(1, 77, 32));
            NDArray negative = manager.randomNormal(new Shape(1, 77, 32));
            Conditioning conditioning = Conditioning.scheduled(List.of(new Conditioning.Timed(20, negative)),
                    List.of(new Conditioning.Timed(10, a), new Conditioning.Timed(20, b)), () -> filled(0, 1), 1, List.of());
            int[] step = {0};
            GuidedDenoiser scheduled = new GuidedDenoiser(unet, conditioning, 7.5, sigma -> 500f, () -> step[0]);
            NDArray x = manager.randomNormal(new Shape(1, 4, 8, 8));
            for (int s : new int[] {3, 15}) {
                step[0] = s;
                NDArray expected = new GuidedDenoiser(unet, negative, s <= 10 ? a : b, 7.5, sigma -> 500f).denoise(x, 2.0);
                assertArrayEquals(expected.toFloatArray(), scheduled.denoise(x, 2.0).toFloatArray(), "step " + s);
            }
        }
    }
}
