package dev.diffarm.engine.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.api.Progress;
import dev.diffarm.api.Sampler;
import dev.diffarm.api.conformance.SamplerConformance;
import dev.diffarm.api.conformance.SeededNoise;
import dev.diffarm.engine.plugins.SamplerPlugins.LoadedPlugin;
import dev.diffarm.engine.sampler.SamplerRegistry;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugin jars load from a directory through PF4J, are picked up while the process runs, and are refused with reasons. */
class SamplerPluginsTest {
    private static final String EXAMPLE = "DPM++ 2S a";

    @TempDir
    Path dir;

    private static Optional<String> none() {
        return Optional.empty();
    }

    @Test
    void withoutOptionOrVariableTheDirectoryIsTheOneTheBuildFillsBesideTheEngine() {
        Path beside = SamplerPlugins.besideTheEngine();
        assertTrue(beside.endsWith(Path.of("engine", "target", "plugins")), beside.toString());
        assertTrue(Files.isRegularFile(beside.resolve("diffarm-samplers-k.jar")), beside + " holds the built plugins");
        assertEquals(dir, SamplerPlugins.directory(Optional.of(dir)), "the option comes first");
    }

    @Test
    void theBuiltPluginsProvideEverySamplerAndSchedule() {
        try (SamplerPlugins plugins = new SamplerPlugins(SamplerPlugins.directory(Optional.empty()))) {
            SamplerRegistry registry = plugins.registry();
            assertEquals(List.of("DDIM", "DPM++ 2M", "DPM++ 2M SDE", "DPM2", "DPM2 a", "Euler", "Euler a", "Heun", "LMS",
                    "PLMS", "UniPC"), registry.names());
            assertEquals(List.of("Exponential", "Karras"), registry.schedules().stream().map(s -> s.name()).toList());
            assertEquals(List.of("finetune-dreambooth", "finetune-lora", "finetune-textual-inversion", "preprocessors",
                    "samplers-classic", "samplers-k", "upscalers"), plugins.plugins().stream().map(p -> p.origin().pluginId())
                    .toList());
            assertEquals(List.of("dreambooth", "lora", "textual-inversion"), plugins.fineTuneMethods().names());
            assertEquals(List.of("Lanczos", "Nearest"), plugins.upscalers().names());
            assertEquals(List.of("ESRGAN"), plugins.upscalers().architectures());
            assertEquals(List.of(), plugins.problems());
        }
    }

    @Test
    void aJarDroppedInIsPickedUpWithoutARestartAndARemovedOneDropped() throws IOException {
        Files.copy(PluginJars.built("diffarm-samplers-classic.jar"), dir.resolve("samplers-classic.jar"));
        try (SamplerPlugins plugins = new SamplerPlugins(dir)) {
            assertEquals(List.of("DDIM", "PLMS"), plugins.registry().names());
            assertThrows(IllegalArgumentException.class, () -> plugins.registry().resolve(EXAMPLE, none()));

            Files.copy(PluginJars.example(), dir.resolve("example-sampler.jar"));
            SamplerRegistry.Selection example = plugins.registry().resolve(EXAMPLE, none());
            assertEquals("example-sampler", example.sampler().origin().pluginId());
            assertEquals(List.of("DDIM", EXAMPLE, "PLMS"), plugins.registry().names());
            runs(example.sampler().sampler());

            Files.delete(dir.resolve("example-sampler.jar"));
            assertEquals(List.of("DDIM", "PLMS"), plugins.registry().names());
            assertEquals(List.of("samplers-classic"), plugins.plugins().stream().map(p -> p.origin().pluginId()).toList());
        }
    }

    /** A sampler from a plugin's class loader runs on the host's DJL and plugin API. */
    private static void runs(Sampler sampler) {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.randomNormal(new Shape(1, 4, 4, 4)).mul(14.6f);
            NDArray out = sampler.sample(SamplerConformance.DATA.denoiser(), x, SamplerConformance.levels(5),
                    new SeededNoise(1), Progress.NONE);
            assertEquals(x.getShape(), out.getShape());
        }
    }

    @Test
    void aReplacedJarIsLoadedAgain() throws IOException {
        Path jar = Files.copy(PluginJars.example(), dir.resolve("example-sampler.jar"));
        try (SamplerPlugins plugins = new SamplerPlugins(dir)) {
            Sampler before = plugins.registry().resolve(EXAMPLE, none()).sampler().sampler();
            assertSame(before, plugins.registry().resolve(EXAMPLE, none()).sampler().sampler(), "unchanged: not reloaded");
            Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 2000));
            Sampler after = plugins.registry().resolve(EXAMPLE, none()).sampler().sampler();
            assertTrue(before.getClass() != after.getClass(), "a fresh class loader for the replaced jar");
            runs(after);
        }
    }

    @Test
    void aPluginBuiltAgainstAnotherMajorApiVersionIsRefusedNamingBoth() throws IOException {
        PluginJars.withManifest(PluginJars.example(), dir.resolve("example-sampler.jar"), Map.of("Plugin-Requires", "2.0"));
        try (SamplerPlugins plugins = new SamplerPlugins(dir)) {
            assertEquals(List.of(), plugins.registry().names());
            assertEquals(List.of("example-sampler.jar: plugin 'example-sampler' 0.1.0-SNAPSHOT was built against plugin "
                    + "API 2.0, but this diffarm provides plugin API 1.3 (a plugin loads on the major version it was built "
                    + "against, at the same or a later minor version: 1.0 to 1.3)"), plugins.problems());
        }
    }

    /**
     * APIs 1.1 to 1.3 only added (fine-tune methods, pictures, control preprocessors, tensor operations): a 1.0 sampler
     * plugin still loads and samples.
     */
    @Test
    void aSamplerPluginBuiltAgainstApiOneZeroStillLoads() throws IOException {
        PluginJars.withManifest(PluginJars.example(), dir.resolve("example-sampler.jar"), Map.of("Plugin-Requires", "1.0"));
        try (SamplerPlugins plugins = new SamplerPlugins(dir)) {
            assertEquals(List.of(), plugins.problems());
            runs(plugins.registry().resolve(EXAMPLE, none()).sampler().sampler());
        }
    }

    @Test
    void aJarThatIsNoPluginOrNamesNoApiVersionIsRefused() throws IOException {
        Map<String, String> noRequires = new HashMap<>();
        noRequires.put("Plugin-Requires", null);
        PluginJars.withManifest(PluginJars.example(), dir.resolve("a-no-requires.jar"), noRequires);
        Map<String, String> noId = new HashMap<>();
        noId.put("Plugin-Id", null);
        PluginJars.withManifest(PluginJars.example(), dir.resolve("b-no-id.jar"), noId);
        Files.writeString(dir.resolve("c-not-a-jar.jar"), "text");
        try (SamplerPlugins plugins = new SamplerPlugins(dir)) {
            List<String> problems = plugins.problems();
            assertEquals(3, problems.size(), problems.toString());
            assertEquals("a-no-requires.jar: plugin 'example-sampler' 0.1.0-SNAPSHOT names no Plugin-Requires in its "
                    + "manifest: expected the plugin API version it was built against, such as 1.3", problems.get(0));
            assertEquals("b-no-id.jar: not a PF4J plugin: its manifest has no Plugin-Id", problems.get(1));
            assertTrue(problems.get(2).startsWith("c-not-a-jar.jar: not a readable jar: "), problems.get(2));
        }
    }

    @Test
    void twoJarsWithOnePluginIdLoadOnce() throws IOException {
        Files.copy(PluginJars.example(), dir.resolve("a.jar"));
        Files.copy(PluginJars.example(), dir.resolve("b.jar"));
        try (SamplerPlugins plugins = new SamplerPlugins(dir)) {
            assertEquals(List.of(EXAMPLE), plugins.registry().names());
            assertEquals(1, plugins.problems().size(), plugins.problems().toString());
            assertTrue(plugins.problems().get(0).startsWith("b.jar: "), plugins.problems().toString());
        }
    }

    @Test
    void pluginClassesLoadUnderTheParentGiven() throws IOException {
        Files.copy(PluginJars.example(), dir.resolve("example-sampler.jar"));
        try (URLClassLoader parent = new URLClassLoader(new URL[0], Sampler.class.getClassLoader());
             SamplerPlugins plugins = new SamplerPlugins(dir, parent)) {
            Sampler sampler = plugins.registry().resolve(EXAMPLE, none()).sampler().sampler();
            assertSame(parent, sampler.getClass().getClassLoader().getParent());
            List<LoadedPlugin> loaded = plugins.plugins();
            assertEquals(dir.resolve("example-sampler.jar").toAbsolutePath(), loaded.get(0).jar());
        }
    }

    /** Why the parent must be chosen: under one that cannot see the API (as PF4J's own can't in Quarkus dev mode). */
    @Test
    void underAParentBlindToTheApiNoSamplerIsFound() throws IOException {
        Files.copy(PluginJars.example(), dir.resolve("example-sampler.jar"));
        try (SamplerPlugins plugins = new SamplerPlugins(dir, ClassLoader.getPlatformClassLoader())) {
            assertEquals(List.of(), plugins.registry().names());
            assertTrue(plugins.problems().get(0).startsWith("example-sampler.jar: plugin 'example-sampler' "
                    + "0.1.0-SNAPSHOT did not start (FAILED)"), plugins.problems().toString());
        }
    }
}
