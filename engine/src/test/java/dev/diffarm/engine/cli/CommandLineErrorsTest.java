package dev.diffarm.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.engine.testing.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets one line that says what was wrong, and a non-zero exit code. */
class CommandLineErrorsTest {
    @TempDir
    Path dir;

    private CommandLineRun render(String... extra) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("render", "--model",
                Fixtures.sdTiny("model").toString(), "--prompt", "a cat", "--out",
                dir.resolve("x.png").toString()));
        args.addAll(java.util.List.of(extra));
        return CommandLineRun.of(args.toArray(String[]::new));
    }

    @Test
    void sizeNotAMultipleOfEight() {
        CommandLineRun run = render("--steps", "1", "--width", "30", "--height", "32");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("30x32: expected multiples of 8"), run.err());
    }

    @Test
    void unknownSamplerListsTheKnownOnes() {
        CommandLineRun run = render("--steps", "1", "--sampler", "Euler z", "--width", "32", "--height", "32");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("unknown sampler 'Euler z': expected one of DDIM, DPM++ 2M, DPM++ 2M SDE, DPM2, "
                + "DPM2 a, Euler, Euler a, Heun, LMS, PLMS, UniPC (or a diffusers scheduler class or k-diffusion sample_* "
                + "name), optionally followed by a schedule: Exponential, Karras"), run.err());
    }

    @Test
    void unknownScheduleListsTheKnownOnes() {
        CommandLineRun run = render("--steps", "1", "--schedule", "linear", "--width", "32", "--height", "32");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("unknown schedule 'linear': expected default or one of Exponential, Karras"),
                run.err());
    }

    @Test
    void etaForASamplerThatTakesNone() {
        CommandLineRun run = render("--steps", "1", "--sampler", "Heun", "--eta", "0.5", "--width", "32", "--height", "32");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("eta = 0.5: sampler 'Heun' adds no noise of its own and takes no eta; these do: "
                + "DDIM, DPM++ 2M SDE, DPM2 a, Euler a"), run.err());
        assertTrue(!run.err().contains("diffarm: loaded"), "refused before the model loads: " + run.err());
    }

    @Test
    void etaOutOfRange() {
        CommandLineRun run = render("--steps", "1", "--sampler", "DDIM", "--eta", "1.5", "--width", "32", "--height", "32");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("eta = 1.5: expected a number in 0..1"), run.err());
    }

    @Test
    void anEmptyPluginsDirectoryIsSaidSo() {
        CommandLineRun run = render("--steps", "1", "--plugins-dir", dir.resolve("none").toString(),
                "--width", "32", "--height", "32");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("diffarm: warning: plugins directory " + dir.resolve("none").toAbsolutePath()
                + " does not exist"), run.err());
        assertTrue(run.err().contains("unknown sampler 'Euler a': no sampler is loaded (from plugins directory "), run.err());
    }

    @Test
    void missingModel() {
        CommandLineRun run = CommandLineRun.of("render", "--model", dir.resolve("nope").toString(), "--prompt", "x");
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("nope does not exist"), run.err());
        assertEquals(1, run.err().lines().filter(l -> l.startsWith("diffarm: error:")).count(), run.err());
    }

    @Test
    void notANumber() {
        CommandLineRun run = render("--steps", "many");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("--steps"), run.err());
    }

    @Test
    void negativeSteps() {
        CommandLineRun run = render("--steps", "-1", "--width", "32", "--height", "32");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("steps = -1: expected 1..1000"), run.err());
    }

    @Test
    void foreignArchitecture() throws Exception {
        Path notAModel = dir.resolve("other.safetensors");
        new dev.diffarm.engine.safetensors.SafetensorsWriter().add("conditioner.embedders.0.weight", new float[] {1f}, 1)
                .write(notAModel);
        CommandLineRun run = CommandLineRun.of("render", "--model", notAModel.toString(), "--prompt", "x");
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("SDXL"), run.err());
    }

    @Test
    void helpListsTheCommands() {
        CommandLineRun run = CommandLineRun.of("--help");
        assertEquals(0, run.exitCode());
        for (String command : new String[] {"render", "samplers", "encode", "merge", "bench"}) {
            assertTrue(run.out().contains(command), run.out());
        }
    }

    @Test
    void memoryBenchmarkWithoutModelOrDataSaysWhatItNeeds() {
        CommandLineRun run = CommandLineRun.of("bench", "--train", "lora", "--memory-every", "500");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("--memory-every: needs --train METHOD, --model PATH and --data DIR"), run.err());
    }

    @Test
    void memoryBenchmarkOfAnUnknownMethod() {
        CommandLineRun run = CommandLineRun.of("bench", "--train", "dreambooth", "--memory-every", "500", "--model",
                Fixtures.sdTiny("model").toString(), "--data", Fixtures.sdTiny("train-data").toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("--train dreambooth: expected one of"), run.err());
        assertTrue(!run.err().contains("diffarm: loaded"), "refused before the model loads: " + run.err());
    }
}
