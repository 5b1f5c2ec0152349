package dev.diffarm.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code diffarm samplers} lists what the plugins provide, each with its plugin and version. */
class SamplersCommandTest {
    @TempDir
    Path dir;

    @Test
    void listsEverySamplerAndScheduleWithItsPlugin() {
        CommandLineRun run = CommandLineRun.of("samplers");
        assertEquals(0, run.exitCode(), run.err());
        System.out.println(run.out());
        String version = "0.1.0-SNAPSHOT";
        for (String sampler : new String[] {"Euler a", "Euler", "LMS", "Heun", "DPM2", "DPM2 a", "DPM++ 2M",
                "DPM++ 2M SDE", "UniPC"}) {
            assertTrue(run.out().contains("\n  " + String.format("%-14s %-32s", sampler, "samplers-k " + version)),
                    sampler + " in\n" + run.out());
        }
        for (String sampler : new String[] {"DDIM", "PLMS"}) {
            assertTrue(run.out().contains("\n  " + String.format("%-14s %-32s", sampler, "samplers-classic " + version)),
                    sampler + " in\n" + run.out());
        }
        assertTrue(run.out().contains("\n  Karras         samplers-k " + version), run.out());
        assertTrue(run.out().contains("\n  Exponential    samplers-k " + version), run.out());
        assertTrue(run.out().contains("also sample_dpmpp_2m_sde; diffusers DPMSolverMultistepScheduler "
                + "{algorithm_type=sde-dpmsolver++}; --eta, default 1.0"), run.out());
        assertTrue(run.out().contains("(plugins loaded: 7)"), run.out()); // samplers 2, fine-tune 3, upscalers, preprocessors
    }

    @Test
    void aDroppedInPluginIsListedToo() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Path example = Paths.get(System.getProperty("diffarm.example.plugin.dir")).resolve("diffarm-example-sampler.jar");
        Files.copy(example, plugins.resolve("example-sampler.jar"));
        CommandLineRun run = CommandLineRun.of("samplers", "--plugins-dir", plugins.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("\n  DPM++ 2S a     example-sampler 0.1.0-SNAPSHOT"), run.out());
        assertTrue(run.out().contains("(plugins loaded: 1)"), run.out());
    }
}
