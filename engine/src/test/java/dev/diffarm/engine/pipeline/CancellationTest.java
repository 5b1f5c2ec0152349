package dev.diffarm.engine.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import dev.diffarm.api.Progress;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.TestSamplers;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/** A cancel waits for the UNet call in progress, not for the rest of a step that calls the UNet twice. */
class CancellationTest {

    @Test
    void aCancelInsideAHeunStepStopsBeforeItsSecondUnetCall() {
        try (StableDiffusion model = StableDiffusion.load(Fixtures.sdTiny("model"), Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment())) {
            GenerationRequest request = new GenerationRequest("a cat", "", "Heun", 3, 7.5, 1, 32, 32, 1, 1,
                    Emphasis.ORIGINAL);
            CancelOnQuestion progress = new CancelOnQuestion(3);
            assertThrows(CancellationException.class,
                    () -> new Generator(TestSamplers.plugins()).generate(model, "0", request, progress));
            // asked before step 0, before its first UNet call, then before its second: cancelled there
            assertEquals(3, progress.questions);
            assertEquals(0, progress.steps, "no step finished");
        }
    }

    /** Says "cancelled" from its {@code n}-th question on, and counts questions and finished steps. */
    private static final class CancelOnQuestion implements Progress {
        private final int n;
        int questions;
        int steps;

        CancelOnQuestion(int n) {
            this.n = n;
        }

        @Override
        public boolean isCancelled() {
            return ++questions >= n;
        }

        @Override
        public void onStep(int step, int total, NDArray x) {
            steps++;
        }
    }
}
