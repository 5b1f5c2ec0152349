package dev.diffarm.engine.testing;

import dev.diffarm.api.Sampler;
import dev.diffarm.engine.plugins.SamplerPlugins;
import dev.diffarm.engine.sampler.SamplerRegistry;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The samplers of the plugins the build copies for the tests ({@code target/test-plugins}, which the test
 * environment names in {@code DIFFARM_PLUGINS_DIR}, so the command line under test loads them too), loaded through
 * PF4J, once per test JVM.
 */
public final class TestSamplers {
    private static SamplerPlugins plugins;

    private TestSamplers() {
    }

    /** The built plugins, loaded. */
    public static synchronized SamplerPlugins plugins() {
        if (plugins == null) {
            plugins = new SamplerPlugins(SamplerPlugins.directory(Optional.empty()));
            if (plugins.plugins().isEmpty()) {
                throw new IllegalStateException("no sampler plugins in " + plugins.directory() + " " + plugins.problems()
                        + ": the engine's build copies them there (mvn install over the reactor, or -am)");
            }
        }
        return plugins;
    }

    public static SamplerRegistry registry() {
        return plugins().registry();
    }

    /** The sampler {@code name} selects, on its defaults. */
    public static Sampler sampler(String name) {
        SamplerRegistry registry = registry();
        return registry.sampler(registry.resolve(name, Optional.empty()), OptionalDouble.empty());
    }
}
