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
@TestProfile(DemoRunTest.FreshFolders.class)
class DemoRunTest {
    private static final Pattern OUTPUT_FOLDER = Pattern.compile("completed, (\\d+) images in [0-9.]+ s\\. In (\\S+)");

    @Test
    @Launch("demo")
    void rendersTheDemoCampaignThroughTheDaemon(LaunchResult result) throws Exception {
        String out = result.getOutput();
        Matcher summary = OUTPUT_FOLDER.matcher(out);
        assertTrue(summary.find(), out);
        Campaign campaign = (Campaign) new JobParser().parse(DemoRun.campaign()).orElseThrow();
        List<TaskSpec> tasks = campaign.plan().tasks();
        assertEquals(tasks.size(), Integer.parseInt(summary.group(1)), out);
        assertTrue(tasks.size() >= 4 && tasks.size() <= 16, "a demo shows a few images, quickly: " + tasks.size());
        assertTrue(out.contains("wrote the model \"demo\""), out);

        Path folder = Path.of(summary.group(2));
        for (TaskSpec task : tasks) {
            assertTrue(out.contains("[" + (task.index() + 1) + "/" + tasks.size() + "] " + task.id() + ".png"), out);
            Path png = folder.resolve(task.id() + ".png");
            String parameters = PngReader.readParameters(png).orElseThrow(() -> new AssertionError(png + " has no parameters"));
            assertTrue(parameters.startsWith(task.parameters().prompt() + "\nNegative prompt: "
                    + task.parameters().settings().negativePrompt() + "\n"), parameters);
            assertTrue(parameters.contains("Seed: " + task.parameters().seed() + ", Size: 128x128, ")
                    && parameters.endsWith("Model: demo"), parameters);
            assertTrue(Files.isRegularFile(folder.resolve(task.id() + ".json")), task.id());
        }
        assertTrue(Files.size(folder.resolve("contact-sheet.png")) > 0);
        assertTrue(Files.readString(folder.resolve("index.html")).contains("<img src=\"t0000.png\""));
    }

    /**
     * A fresh folder under {@code target/} for each launch, kept after it for the test to read (the tests' global
     * {@code LocalDaemonResource} deletes its folder as the launch ends, and links the tiny model in).
     */
    public static final class FreshFolders implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path home = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "demo-run-test").toAbsolutePath();
                return Map.of("diffarm.home", home.toString(), "diffarm.local-dir", home.resolve("local").toString(),
                        "diffarm.models-dir", home.resolve("models").toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    @Test
    @Launch(value = "serve-twice", exitCode = 2)
    void refusesArgumentsItDoesNotKnow(LaunchResult result) {
        assertTrue(result.getErrorOutput().contains("[serve-twice]: expected no argument"), result.getErrorOutput());
    }
}
