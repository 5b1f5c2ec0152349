package dev.diffarm.engine.plugins;

import dev.diffarm.api.NoiseSchedule;
import dev.diffarm.api.PluginApi;
import dev.diffarm.api.control.ControlPreprocessor;
import dev.diffarm.api.finetune.FineTuneMethod;
import dev.diffarm.api.Sampler;
import dev.diffarm.api.upscale.Upscaler;
import dev.diffarm.api.upscale.UpscalerArchitecture;
import dev.diffarm.engine.control.ControlPreprocessors;
import dev.diffarm.engine.sampler.PluginOrigin;
import dev.diffarm.engine.sampler.SamplerRegistry;
import dev.diffarm.engine.sampler.SamplerRegistry.SamplerEntry;
import dev.diffarm.engine.sampler.SamplerRegistry.ScheduleEntry;
import dev.diffarm.engine.train.FineTuneMethods;
import dev.diffarm.engine.upscale.Upscalers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;

/**
 * The samplers, noise schedules, fine-tune methods and control preprocessors of the PF4J plugin jars in a
 * directory. The directory is scanned again on every {@link #registry()} call, so a jar dropped in (or replaced, or
 * removed) while the process runs is loaded (or reloaded, or unloaded) at the next lookup, without a restart; a run
 * already going keeps the sampler it started with.
 *
 * <p>A jar is refused, and listed in {@link #problems}, when it is no PF4J plugin, when its {@code Plugin-Requires}
 * names a plugin API version this one cannot run ({@link PluginApi#checkCompatible}), or when it fails to load or
 * start; it is tried again once it changes. Thread-safe.
 */
public final class SamplerPlugins implements AutoCloseable, Supplier<SamplerRegistry> {
    /** The environment variable that names the plugins directory when no option does. */
    public static final String DIRECTORY_VARIABLE = "DIFFARM_PLUGINS_DIR";

    /** A jar as last seen: a change to either means it was replaced. */
    private record Stamp(long size, FileTime modified) {
    }

    /**
     * A loaded plugin.
     *
     * @param origin its id and version
     * @param jar    its file
     */
    public record LoadedPlugin(PluginOrigin origin, Path jar) {
    }

    private final Path directory;
    private final HostPluginManager manager;
    private final Map<Path, Stamp> seen = new LinkedHashMap<>();
    private final Map<Path, String> loaded = new LinkedHashMap<>();
    private final Map<Path, String> refused = new LinkedHashMap<>();
    private SamplerRegistry registry;

    /** The plugins in {@code directory}, their class loaders' parent the one that loaded the plugin API. */
    public SamplerPlugins(Path directory) {
        this(directory, Sampler.class.getClassLoader());
    }

    /**
     * @param directory where the plugin jars are; it need not exist yet
     * @param parent    the parent of each plugin's class loader: one that sees the plugin API and DJL. Under
     *                  Quarkus dev mode and tests, the loader of the API's classes as the application sees them
     */
    public SamplerPlugins(Path directory, ClassLoader parent) {
        this.directory = directory.toAbsolutePath().normalize();
        this.manager = new HostPluginManager(this.directory, parent);
    }

    /**
     * The directory to load plugins from: {@code option} if given, else {@value #DIRECTORY_VARIABLE} if set, else
     * {@code plugins/} beside the engine's jar (or classes folder), where the build puts the plugins it builds
     * ({@code engine/target/plugins}).
     */
    public static Path directory(Optional<Path> option) {
        if (option.isPresent()) {
            return option.get();
        }
        String variable = System.getenv(DIRECTORY_VARIABLE);
        if (variable != null && !variable.isBlank()) {
            return Paths.get(variable);
        }
        return besideTheEngine();
    }

    /** {@code plugins/} in the folder that holds the engine's jar (or classes folder). */
    static Path besideTheEngine() {
        try {
            Path code = Paths.get(SamplerPlugins.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return code.toAbsolutePath().getParent().resolve("plugins");
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot tell where the engine's code is: " + e.getMessage(), e);
        }
    }

    /** The directory the plugins are loaded from, absolute. */
    public Path directory() {
        return directory;
    }

    /** The samplers and schedules of the plugins in the directory now. */
    public synchronized SamplerRegistry registry() {
        Map<Path, Stamp> now = jars();
        if (registry == null || !now.equals(seen)) {
            reload(now);
            registry = buildRegistry();
        }
        return registry;
    }

    /** Same as {@link #registry()}. */
    @Override
    public SamplerRegistry get() {
        return registry();
    }

    /** The fine-tune methods of the plugins in the directory now. */
    public synchronized FineTuneMethods fineTuneMethods() {
        registry();
        List<FineTuneMethod> methods = new ArrayList<>();
        manager.getStartedPlugins().stream().sorted(Comparator.comparing(PluginWrapper::getPluginId))
                .forEach(plugin -> methods.addAll(manager.getExtensions(FineTuneMethod.class, plugin.getPluginId())));
        return new FineTuneMethods(methods);
    }

    /** The upscalers (resamplers and network architectures) of the plugins in the directory now. */
    public synchronized Upscalers upscalers() {
        registry();
        List<Upscaler> resamplers = new ArrayList<>();
        List<UpscalerArchitecture> architectures = new ArrayList<>();
        manager.getStartedPlugins().stream().sorted(Comparator.comparing(PluginWrapper::getPluginId)).forEach(plugin -> {
            resamplers.addAll(manager.getExtensions(Upscaler.class, plugin.getPluginId()));
            architectures.addAll(manager.getExtensions(UpscalerArchitecture.class, plugin.getPluginId()));
        });
        return new Upscalers(resamplers, architectures);
    }

    /** The control preprocessors of the plugins in the directory now. */
    public synchronized ControlPreprocessors preprocessors() {
        registry();
        List<ControlPreprocessors.Entry> preprocessors = new ArrayList<>();
        manager.getStartedPlugins().stream().sorted(Comparator.comparing(PluginWrapper::getPluginId)).forEach(
                plugin -> manager.getExtensions(ControlPreprocessor.class, plugin.getPluginId()).forEach(
                        preprocessor -> preprocessors.add(new ControlPreprocessors.Entry(preprocessor, origin(plugin)))));
        return new ControlPreprocessors(preprocessors);
    }

    /**
     * The control preprocessor {@code name} selects among the plugins' (by name or alias, ignoring case).
     *
     * @throws IllegalArgumentException naming the preprocessor and the known ones
     */
    public ControlPreprocessor controlPreprocessor(String name) {
        return preprocessors().named(name);
    }

    /** The plugins loaded now, by id. */
    public synchronized List<LoadedPlugin> plugins() {
        registry();
        return loaded.entrySet().stream()
                .map(e -> new LoadedPlugin(origin(manager.getPlugin(e.getValue())), e.getKey()))
                .sorted(Comparator.comparing(p -> p.origin().pluginId())).toList();
    }

    /** Jars refused, each with why, and extensions left out for a name taken by another. */
    public synchronized List<String> problems() {
        List<String> conflicts = registry().conflicts();
        List<String> problems = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            problems.add("plugins directory " + directory + " does not exist");
        }
        refused.forEach((jar, why) -> problems.add(jar.getFileName() + ": " + why));
        problems.addAll(conflicts);
        return problems;
    }

    private Map<Path, Stamp> jars() {
        Map<Path, Stamp> jars = new LinkedHashMap<>();
        if (!Files.isDirectory(directory)) {
            return jars;
        }
        try (Stream<Path> files = Files.list(directory)) {
            for (Path jar : files.filter(f -> f.getFileName().toString().endsWith(".jar") && Files.isRegularFile(f))
                    .sorted().toList()) {
                jars.put(jar, new Stamp(Files.size(jar), Files.getLastModifiedTime(jar)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the plugins directory " + directory + ": " + e.getMessage(), e);
        }
        return jars;
    }

    private void reload(Map<Path, Stamp> now) {
        for (Path jar : List.copyOf(seen.keySet())) {
            if (!now.containsKey(jar) || !now.get(jar).equals(seen.get(jar))) {
                String id = loaded.remove(jar);
                if (id != null) {
                    manager.unloadPlugin(id);
                }
                refused.remove(jar);
                seen.remove(jar);
            }
        }
        now.forEach((jar, stamp) -> {
            if (!seen.containsKey(jar)) {
                load(jar);
                seen.put(jar, stamp);
            }
        });
    }

    private void load(Path jar) {
        try {
            Attributes manifest = manifest(jar);
            String plugin = "plugin '" + manifest.getValue("Plugin-Id") + "' " + manifest.getValue("Plugin-Version");
            String requires = manifest.getValue("Plugin-Requires");
            if (requires == null) {
                refused.put(jar, plugin + " names no Plugin-Requires in its manifest: expected the plugin API "
                        + "version it was built against, such as " + PluginApi.VERSION);
                return;
            }
            try {
                PluginApi.checkCompatible(requires);
            } catch (IllegalArgumentException e) {
                refused.put(jar, plugin + " was " + e.getMessage());
                return;
            }
            String id = manager.loadPlugin(jar);
            PluginState state = manager.startPlugin(id);
            if (state != PluginState.STARTED) {
                Throwable cause = manager.getPlugin(id).getFailedException();
                manager.unloadPlugin(id);
                refused.put(jar, plugin + " did not start (" + state + ")" + (cause == null ? "" : ": " + cause));
                return;
            }
            loaded.put(jar, id);
        } catch (RuntimeException e) {
            refused.put(jar, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** The jar's manifest attributes; refused if it has no {@code Plugin-Id}, the mark of a PF4J plugin. */
    private static Attributes manifest(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            if (manifest == null || manifest.getMainAttributes().getValue("Plugin-Id") == null) {
                throw new IllegalArgumentException("not a PF4J plugin: its manifest has no Plugin-Id");
            }
            return manifest.getMainAttributes();
        } catch (IOException e) {
            throw new IllegalArgumentException("not a readable jar: " + e.getMessage(), e);
        }
    }

    private SamplerRegistry buildRegistry() {
        List<SamplerEntry> samplers = new ArrayList<>();
        List<ScheduleEntry> schedules = new ArrayList<>();
        List<PluginWrapper> started = manager.getStartedPlugins().stream()
                .sorted(Comparator.comparing(PluginWrapper::getPluginId)).toList();
        for (PluginWrapper plugin : started) {
            PluginOrigin origin = origin(plugin);
            manager.getExtensions(Sampler.class, plugin.getPluginId())
                    .forEach(sampler -> samplers.add(new SamplerEntry(sampler, origin)));
            manager.getExtensions(NoiseSchedule.class, plugin.getPluginId())
                    .forEach(schedule -> schedules.add(new ScheduleEntry(schedule, origin)));
        }
        return new SamplerRegistry("plugins directory " + directory, samplers, schedules);
    }

    private static PluginOrigin origin(PluginWrapper plugin) {
        return new PluginOrigin(plugin.getPluginId(), plugin.getDescriptor().getVersion());
    }

    /** Stops and unloads every plugin. */
    @Override
    public synchronized void close() {
        manager.unloadPlugins();
        loaded.clear();
        seen.clear();
        registry = null;
    }
}
