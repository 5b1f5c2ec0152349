package dev.diffarm.daemon;

import dev.diffarm.engine.plugins.SamplerPlugins;
import dev.diffarm.engine.sampler.SamplerRegistry;
import java.util.Optional;
import java.util.function.Supplier;

/** The sampler plugins the build copies for the tests ({@code DIFFARM_PLUGINS_DIR}), loaded once per test JVM. */
public final class TestPlugins {
    private static SamplerPlugins plugins;

    private TestPlugins() {
    }

    public static Supplier<SamplerRegistry> samplers() {
        return plugins();
    }

    /** The plugins themselves: samplers and fine-tune methods. */
    public static synchronized SamplerPlugins plugins() {
        if (plugins == null) {
            plugins = new SamplerPlugins(SamplerPlugins.directory(Optional.empty()));
            if (plugins.plugins().isEmpty()) {
                throw new IllegalStateException("no sampler plugins in " + plugins.directory() + " " + plugins.problems());
            }
        }
        return plugins;
    }
}
