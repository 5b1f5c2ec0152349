package dev.diffarm.engine.sampler;

import dev.diffarm.api.Sampler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The samplers diffarm knows, found by name. A name matches case-insensitively, either as users write it
 * ({@code Euler a}) or as diffusers' scheduler class ({@code EulerAncestralDiscreteScheduler}); an unknown
 * name is refused with the list of known ones.
 */
public final class SamplerRegistry {
    /**
     * A sampler and the diffusers scheduler whose timesteps and noise levels it walks.
     *
     * @param sampler          the sampling method
     * @param diffusersClass   the scheduler class whose {@code set_timesteps} gives the schedule
     * @param schedulerOptions options diffusers users pass to that class for this sampler
     */
    public record Entry(Sampler sampler, String diffusersClass, Map<String, Object> schedulerOptions) {
    }

    private final Map<String, Entry> byKey = new LinkedHashMap<>();
    private final List<String> names = new ArrayList<>();

    /** The samplers built into the engine. */
    public static SamplerRegistry builtIn() {
        SamplerRegistry registry = new SamplerRegistry();
        registry.add(new Entry(new EulerAncestral(), "EulerAncestralDiscreteScheduler", Map.of()));
        registry.add(new Entry(new Ddim(), "DDIMScheduler", Map.of()));
        return registry;
    }

    /** Adds a sampler under its own name and its diffusers class name. */
    public void add(Entry entry) {
        String name = entry.sampler().name();
        if (byKey.putIfAbsent(key(name), entry) != null) {
            throw new IllegalArgumentException("sampler '" + name + "' is already registered");
        }
        byKey.putIfAbsent(key(entry.diffusersClass()), entry);
        names.add(name);
    }

    /** The sampler called {@code name}. */
    public Entry resolve(String name) {
        Entry entry = byKey.get(key(name));
        if (entry == null) {
            throw new IllegalArgumentException("unknown sampler '" + name + "': expected one of " + String.join(", ", names));
        }
        return entry;
    }

    /** Names of every sampler, in registration order. */
    public List<String> names() {
        return List.copyOf(names);
    }

    private static String key(String name) {
        return name.trim().toLowerCase(Locale.ROOT);
    }
}
