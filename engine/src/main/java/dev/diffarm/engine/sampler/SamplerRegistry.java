package dev.diffarm.engine.sampler;

import dev.diffarm.api.Sampler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The samplers diffarm knows, found by name. A name matches case-insensitively, either as AUTOMATIC1111 writes it
 * ({@code Euler a}, {@code DPM++ 2M Karras}), as diffusers' scheduler class ({@code EulerAncestralDiscreteScheduler})
 * or as k-diffusion's function ({@code sample_euler_ancestral}); an unknown name is refused with the list of known
 * ones.
 */
public final class SamplerRegistry {
    private static final String DPM_SOLVER = "DPMSolverMultistepScheduler";
    private static final Map<String, Object> KARRAS = Map.of("use_karras_sigmas", true);
    private static final Map<String, Object> SDE = Map.of("algorithm_type", "sde-dpmsolver++");

    /**
     * A sampler as users select it, with the diffusers scheduler whose timesteps and noise levels it walks.
     *
     * @param name             the name users select it by, as AUTOMATIC1111 spells it ({@code DPM++ 2M Karras})
     * @param sampler          the sampling method
     * @param diffusersClass   the scheduler class whose {@code set_timesteps} gives the schedule
     * @param schedulerOptions options laid over the model's scheduler config for this entry, as diffusers users pass
     *                         them to {@code <diffusersClass>.from_config(config, **options)}
     */
    public record Entry(String name, Sampler sampler, String diffusersClass, Map<String, Object> schedulerOptions) {
        public Entry {
            schedulerOptions = Map.copyOf(schedulerOptions);
        }

        /** A sampler under its own name, on its scheduler's defaults. */
        public static Entry of(Sampler sampler, String diffusersClass) {
            return new Entry(sampler.name(), sampler, diffusersClass, Map.of());
        }
    }

    private final Map<String, Entry> byKey = new LinkedHashMap<>();
    private final List<String> names = new ArrayList<>();

    /** The samplers built into the engine, in AUTOMATIC1111's order. */
    public static SamplerRegistry builtIn() {
        Sampler lms = new Lms();
        Sampler dpmpp2m = new DpmPlusPlus2M();
        Sampler dpmpp2mSde = new DpmPlusPlus2MSde();
        SamplerRegistry registry = new SamplerRegistry();
        registry.add(Entry.of(new EulerAncestral(), "EulerAncestralDiscreteScheduler"), "sample_euler_ancestral");
        registry.add(Entry.of(new Euler(), "EulerDiscreteScheduler"), "sample_euler");
        registry.add(Entry.of(lms, "LMSDiscreteScheduler"), "sample_lms");
        registry.add(Entry.of(new Heun(), "HeunDiscreteScheduler"), "sample_heun");
        registry.add(Entry.of(new Dpm2(), "KDPM2DiscreteScheduler"), "sample_dpm_2");
        registry.add(Entry.of(new Dpm2Ancestral(), "KDPM2AncestralDiscreteScheduler"), "sample_dpm_2_ancestral");
        registry.add(Entry.of(dpmpp2m, DPM_SOLVER), "sample_dpmpp_2m");
        registry.add(new Entry(dpmpp2mSde.name(), dpmpp2mSde, DPM_SOLVER, SDE), "sample_dpmpp_2m_sde");
        registry.add(new Entry("LMS Karras", lms, "LMSDiscreteScheduler", KARRAS));
        registry.add(new Entry("DPM++ 2M Karras", dpmpp2m, DPM_SOLVER, KARRAS));
        registry.add(new Entry("DPM++ 2M SDE Karras", dpmpp2mSde, DPM_SOLVER, union(SDE, KARRAS)));
        registry.add(Entry.of(new Ddim(), "DDIMScheduler"));
        registry.add(Entry.of(new Plms(), "PNDMScheduler"));
        registry.add(Entry.of(new UniPc(), "UniPCMultistepScheduler"));
        return registry;
    }

    /**
     * Adds an entry under its name, under the given other names, and under its diffusers class name unless an
     * earlier entry has that (a class stands for its first entry: {@code DPMSolverMultistepScheduler} for
     * {@code DPM++ 2M}, its default algorithm).
     *
     * @throws IllegalArgumentException if the name or one of the other names is taken
     */
    public void add(Entry entry, String... otherNames) {
        List<String> claimed = new ArrayList<>(List.of(otherNames));
        claimed.add(0, entry.name());
        for (String name : claimed) {
            Entry taken = byKey.get(key(name));
            if (taken != null) {
                throw new IllegalArgumentException("sampler name '" + name + "' is already taken by '" + taken.name() + "'");
            }
        }
        claimed.forEach(name -> byKey.put(key(name), entry));
        byKey.putIfAbsent(key(entry.diffusersClass()), entry);
        names.add(entry.name());
    }

    /**
     * The entry called {@code name}.
     *
     * @throws IllegalArgumentException naming the known samplers if there is none
     */
    public Entry resolve(String name) {
        Entry entry = byKey.get(key(name));
        if (entry == null) {
            throw new IllegalArgumentException("unknown sampler '" + name + "': expected one of " + String.join(", ", names)
                    + " (or a diffusers scheduler class or k-diffusion sample_* name)");
        }
        return entry;
    }

    /** The names of every entry, in registration order. */
    public List<String> names() {
        return List.copyOf(names);
    }

    private static Map<String, Object> union(Map<String, Object> a, Map<String, Object> b) {
        Map<String, Object> both = new LinkedHashMap<>(a);
        both.putAll(b);
        return both;
    }

    private static String key(String name) {
        return name.trim().toLowerCase(Locale.ROOT);
    }
}
