package dev.diffarm.engine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.TestSamplers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A whole fine-tune run on the tiny model leaves no NDArray behind from one step to the next: the live arrays of the
 * process are as many after step 40 as after step 5 (the 10,000-step figures come from the benchmark itself).
 */
class TrainMemoryBenchmarkTest {
    @ParameterizedTest
    @ValueSource(strings = {"lora", "textual-inversion"})
    void noStepLeavesAnArrayBehind(String method) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        MemoryTrend trend;
        try (StableDiffusion model = StableDiffusion.load(Fixtures.sdTiny("model"), Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment())) {
            trend = new TrainMemoryBenchmark(method, Fixtures.sdTiny("train-data"), 40, 5,
                    new PrintStream(printed, true, StandardCharsets.UTF_8))
                    .run(model, TestSamplers.plugins().fineTuneMethods());
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        assertEquals(8, text.lines().filter(l -> l.startsWith("memory step=")).count(), text);
        assertTrue(trend.arraysConstant(), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("verdict rss_growth_mib=")), text);
    }

    @Test
    void anUnknownMethodOrTooFewSamplesAreRefused() {
        Path data = Fixtures.sdTiny("train-data");
        assertThrows(IllegalArgumentException.class, () -> new TrainMemoryBenchmark("dreambooth", data, 100, 10, System.out));
        assertThrows(IllegalArgumentException.class, () -> new TrainMemoryBenchmark("lora", data, 15, 10, System.out));
    }
}
