package dev.diffarm.engine.cli;

import dev.diffarm.engine.plugins.SamplerPlugins;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The option that says where the plugins (samplers, fine-tune methods) are. */
final class PluginOptions {
    @Option(names = "--plugins-dir", paramLabel = "DIR",
            description = "Where the plugin jars (samplers, fine-tune methods) are; a jar added there while diffarm "
                    + "runs is picked up. "
                    + "Default: $" + SamplerPlugins.DIRECTORY_VARIABLE + ", else the plugins the build made "
                    + "(plugins/ beside the engine jar).")
    Path pluginsDir;

    /** The plugins, loaded; what was refused is printed as a warning. */
    SamplerPlugins open() {
        SamplerPlugins plugins = new SamplerPlugins(SamplerPlugins.directory(Optional.ofNullable(pluginsDir)));
        plugins.problems().forEach(problem -> System.err.println("diffarm: warning: " + problem));
        return plugins;
    }
}
