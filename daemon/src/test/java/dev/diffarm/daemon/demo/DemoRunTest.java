package dev.diffarm.daemon.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.engine.image.PngReader;
import dev.diffarm.farm.config.Campaign;
import dev.diffarm.farm.config.JobParser;
import dev.diffarm.farm.config.TaskSpec;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code scripts/diffarm demo} without the script: the daemon started as {@code diffarm-daemon demo}, on its
 * embedded defaults in a fresh folder, renders the demo campaign the script renders and says where the outputs are.
 */
@QuarkusMainTest
@TestProfile(DemoRunTest.DemoFolders.class)
class DemoRunTest {
    private static final Pattern SUMMARY = Pattern.compile("completed, (\\d+) images in [0-9.]+ s\\. In (\\S+)");

    /**
     * One fresh folder under {@code target/} for the class's launches, kept after each for the test to read (the
     * tests' global {@code LocalDaemonResource} deletes its folder as a launch ends, and links the tiny model in).
     */
    public static final class DemoFolders implements QuarkusTestProfile {
        static final Path HOME = freshFolder();

        private static Path freshFolder() {
            try {
                Path target = Files.createDirectories(Path.of("target"));
                return Files.createTempDirectory(target, "demo-run-test").toAbsolutePath();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("diffarm.home", HOME.toString(), "diffarm.local-dir", HOME.resolve("local").toString(),
                    "diffarm.models-dir", HOME.resolve("models").toString());
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    @Test
    void rendersTheDemoCampaignThenSkipsWhatIsStoredThenReportsABrokenModel(QuarkusMainLauncher launcher) throws Exception {
        List<TaskSpec> tasks = ((Campaign) new JobParser().parse(DemoRun.campaign()).orElseThrow()).plan().tasks();
        assertTrue(tasks.size() >= 4 && tasks.size() <= 16, "a demo shows a few images, quickly: " + tasks.size());

        LaunchResult first = launcher.launch("demo");
        String out = first.getOutput();
        assertEquals(0, first.exitCode(), out + first.getErrorOutput());
        assertTrue(out.contains("wrote the model \"demo\""), out);
        Path folder = outputFolder(out, tasks.size());
        for (TaskSpec task : tasks) {
            assertTrue(out.contains("[" + (task.index() + 1) + "/" + tasks.size() + "] " + task.id() + ".png  "
                    + task.style().orElseThrow() + ", seed " + task.parameters().seed()), out);
            Path png = folder.resolve(task.id() + ".png");
            String parameters = PngReader.readParameters(png)
                    .orElseThrow(() -> new AssertionError(png + " has no parameters"));
            assertTrue(parameters.startsWith(task.parameters().prompt() + "\nNegative prompt: "
                    + task.parameters().settings().negativePrompt() + "\n"), parameters);
            assertTrue(parameters.contains("Seed: " + task.parameters().seed() + ", Size: 128x128, ")
                    && parameters.endsWith("Model: demo"), parameters);
            assertTrue(Files.isRegularFile(folder.resolve(task.id() + ".json")), task.id());
        }
        assertTrue(Files.size(folder.resolve("contact-sheet-0001.png")) > 0);
        assertTrue(Files.readString(folder.resolve("index.html")).contains("<a href=\"page-0001.html\">"));
        assertTrue(Files.readString(folder.resolve("page-0001.html")).contains("<a href=\"t0000.png\"><img src=\"thumbs/t0000.png\""));

        // The same campaign (the same id) again over the kept outputs: every image is stored, none is rendered.
        LaunchResult again = launcher.launch("demo");
        assertEquals(0, again.exitCode(), again.getOutput() + again.getErrorOutput());
        assertTrue(again.getOutput().contains("model \"demo\" in "), again.getOutput());
        assertEquals(tasks.size(), again.getOutput().split("\\(already stored\\)", -1).length - 1, again.getOutput());
        assertEquals(folder, outputFolder(again.getOutput(), tasks.size()));

        // A model gone bad, and an image to render again (without its sidecar it counts as not stored).
        Path model = DemoFolders.HOME.resolve("models/demo");
        Files.delete(model.resolve("unet/diffusion_pytorch_model.safetensors"));
        Files.delete(folder.resolve("t0000.json"));
        LaunchResult broken = launcher.launch("demo");
        assertEquals(1, broken.exitCode(), broken.getOutput() + broken.getErrorOutput());
        assertTrue(broken.getOutput().contains("job demo failed at t0000: model \"demo\""), broken.getOutput());
        assertTrue(broken.getOutput().contains("(model-unavailable)"), broken.getOutput());
        assertTrue(broken.getOutput().contains("diffarm demo: delete " + model + " and run the demo again"),
                broken.getOutput());
    }

    @Test
    @Launch(value = "serve-twice", exitCode = 2)
    void refusesArgumentsItDoesNotKnow(LaunchResult result) {
        assertTrue(result.getErrorOutput().contains("[serve-twice]: expected no argument"), result.getErrorOutput());
    }

    /** The folder the demo's summary names, checked to hold as many images as the campaign has. */
    private static Path outputFolder(String out, int images) {
        Matcher summary = SUMMARY.matcher(out);
        assertTrue(summary.find(), out);
        assertEquals(images, Integer.parseInt(summary.group(1)), out);
        return Path.of(summary.group(2));
    }
}
