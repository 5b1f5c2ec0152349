package dev.diffarm.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code bench --hires} on the demo model it writes for itself: every figure is printed, and bad input refused. */
class BenchHiresCommandTest {
    @Test
    void printsBothRendersAndTheOverheadOnTheDemoModel() {
        CommandLineRun run = CommandLineRun.of("bench", "--hires", "--width", "64", "--height", "48", "--steps", "2",
                "--iters", "1");
        System.out.print(run.out());
        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = run.out().lines().toList();
        assertTrue(lines.get(0).startsWith("model=demo sampler=Euler a steps=2 base=64x48 hires=128x96 hires_scale=2.0 "
                + "hires_upscaler=Latent denoising_strength=0.7 hires_steps_rule=a1111 iters=1 "), lines.get(0));
        for (String key : new String[] {"base_iter0_ms=", "base_ms=", "hires_ms=", "hires_overhead_ms=",
                "hires_overhead_ratio=", "peak_rss_mb="}) {
            assertTrue(lines.stream().anyMatch(l -> l.contains(key)), key + " in " + run.out());
        }
    }

    @Test
    void anUnknownArchitectureIsRefusedNamingTheChoices() {
        CommandLineRun run = CommandLineRun.of("bench", "--hires", "--arch", "sdxl", "--steps", "1", "--iters", "1");
        assertEquals(2, run.exitCode(), run.out());
        assertTrue(run.err().contains("--arch sdxl: expected demo or sd15 with --hires"), run.err());
    }
}
