package dev.diffarm.engine.cli;

import dev.diffarm.api.DiffusersEquivalent;
import dev.diffarm.api.Sampler;
import dev.diffarm.engine.plugins.SamplerPlugins;
import dev.diffarm.engine.sampler.SamplerRegistry;
import dev.diffarm.engine.sampler.SamplerRegistry.SamplerEntry;
import dev.diffarm.engine.sampler.SamplerRegistry.ScheduleEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "samplers", mixinStandardHelpOptions = true,
        description = "Lists every sampler and noise schedule the plugins provide, with the plugin and its version.")
final class SamplersCommand implements Callable<Integer> {
    @Mixin
    PluginOptions pluginOptions;

    @Override
    public Integer call() {
        try (SamplerPlugins plugins = pluginOptions.open()) {
            SamplerRegistry registry = plugins.registry();
            System.out.println("Samplers (--sampler NAME; any of the other names, too):");
            for (SamplerEntry entry : registry.samplers()) {
                System.out.printf("  %-14s %-32s %s%n", entry.name(), entry.origin(), details(entry.sampler()));
            }
            System.out.println("Schedules (--schedule NAME, or a sampler name followed by it: \"DPM++ 2M Karras\"):");
            System.out.printf("  %-14s %-32s %s%n", SamplerRegistry.DEFAULT_SCHEDULE, "(built in)",
                    "the model's own: its diffusers scheduler's levels for the sampler");
            for (ScheduleEntry entry : registry.schedules()) {
                System.out.printf("  %-14s %s%n", entry.name(), entry.origin());
            }
            System.out.println("Plugins directory: " + plugins.directory() + " (plugins loaded: "
                    + plugins.plugins().size() + ")");
        }
        return 0;
    }

    private static String details(Sampler sampler) {
        List<String> parts = new ArrayList<>();
        if (!sampler.aliases().isEmpty()) {
            parts.add("also " + String.join(", ", sampler.aliases()));
        }
        DiffusersEquivalent diffusers = sampler.diffusers();
        parts.add("diffusers " + diffusers.schedulerClass() + (diffusers.options().isEmpty() ? "" : " " + diffusers.options()));
        sampler.eta().ifPresent(eta -> parts.add("--eta, default " + eta));
        return String.join("; ", parts);
    }
}
