package dev.diffarm.engine.sampler;

import dev.diffarm.api.NoiseSchedule;
import dev.diffarm.api.Sampler;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

/**
 * The samplers and noise schedules of the loaded plugins, found by name. Names match ignoring case and surrounding
 * blanks. A sampler answers to its name as AUTOMATIC1111 writes it ({@code Euler a}), to its aliases (k-diffusion's
 * {@code sample_euler_ancestral}) and to its diffusers scheduler class ({@code EulerAncestralDiscreteScheduler})
 * where it runs that class on its defaults; AUTOMATIC1111's combined names, a sampler's name followed by a
 * schedule's ({@code DPM++ 2M Karras}), select both. An unknown name is refused with the list of known ones.
 *
 * <p>A registry is an immutable snapshot. Where two extensions claim a name the first, in plugin id order, keeps it
 * and the other is listed in {@link #conflicts}.
 */
public final class SamplerRegistry {
    /** The schedule name that asks for the model's own levels, those of the sampler's diffusers scheduler. */
    public static final String DEFAULT_SCHEDULE = "default";

    /** A loaded sampler and where it came from. */
    public record SamplerEntry(Sampler sampler, PluginOrigin origin) {
        public String name() {
            return sampler.name();
        }
    }

    /** A loaded noise schedule and where it came from. */
    public record ScheduleEntry(NoiseSchedule schedule, PluginOrigin origin) {
        public String name() {
            return schedule.name();
        }
    }

    /**
     * What a user selected: a sampler, and a schedule or none for the model's own.
     *
     * @param sampler  the sampler
     * @param schedule the noise schedule; empty for the model's own
     */
    public record Selection(SamplerEntry sampler, Optional<ScheduleEntry> schedule) {
        /** AUTOMATIC1111's name for the pair: the sampler's, followed by the schedule's if there is one. */
        public String name() {
            return sampler.name() + schedule.map(s -> " " + s.name()).orElse("");
        }
    }

    private final String source;
    private final List<SamplerEntry> samplers = new ArrayList<>();
    private final List<ScheduleEntry> schedules = new ArrayList<>();
    private final Map<String, SamplerEntry> samplersByKey = new LinkedHashMap<>();
    private final Map<String, ScheduleEntry> schedulesByKey = new LinkedHashMap<>();
    private final List<String> conflicts = new ArrayList<>();

    /**
     * @param source          where the extensions were loaded from, named in the error for an unknown name
     * @param loadedSamplers  the samplers, in order of precedence
     * @param loadedSchedules the schedules, in order of precedence
     */
    public SamplerRegistry(String source, List<SamplerEntry> loadedSamplers, List<ScheduleEntry> loadedSchedules) {
        this.source = source;
        loadedSchedules.forEach(this::add);
        loadedSamplers.forEach(this::add);
        samplers.forEach(this::claimClassName);
    }

    private void add(ScheduleEntry entry) {
        String key = key(entry.name());
        ScheduleEntry taken = schedulesByKey.get(key);
        if (key.equals(DEFAULT_SCHEDULE) || taken != null) {
            conflicts.add("schedule '" + entry.name() + "' of " + entry.origin() + " ignored: the name is taken by "
                    + (taken == null ? "the model's own schedule" : "'" + taken.name() + "' of " + taken.origin()));
            return;
        }
        schedulesByKey.put(key, entry);
        schedules.add(entry);
    }

    private void add(SamplerEntry entry) {
        SamplerEntry taken = samplersByKey.get(key(entry.name()));
        if (taken != null) {
            conflicts.add("sampler '" + entry.name() + "' of " + entry.origin() + " ignored: the name is taken by '"
                    + taken.name() + "' of " + taken.origin());
            return;
        }
        samplersByKey.put(key(entry.name()), entry);
        samplers.add(entry);
        for (String alias : entry.sampler().aliases()) {
            SamplerEntry aliasTaken = samplersByKey.putIfAbsent(key(alias), entry);
            if (aliasTaken != null) {
                conflicts.add("name '" + alias + "' of sampler '" + entry.name() + "' (" + entry.origin()
                        + ") ignored: it is taken by '" + aliasTaken.name() + "' of " + aliasTaken.origin());
            }
        }
    }

    /**
     * A diffusers class name selects the sampler that runs the class on its defaults, if one does; names and aliases
     * come first.
     */
    private void claimClassName(SamplerEntry entry) {
        if (entry.sampler().diffusers().options().isEmpty()) {
            samplersByKey.putIfAbsent(key(entry.sampler().diffusers().schedulerClass()), entry);
        }
    }

    /**
     * The sampler and schedule {@code name} and {@code schedule} select.
     *
     * @param name     a sampler's name, alias or diffusers class, optionally followed by a schedule's name
     * @param schedule a schedule's name or {@value #DEFAULT_SCHEDULE} for the model's own; empty to take the one
     *                 {@code name} ends with, if any, else the model's own
     * @throws IllegalArgumentException for an unknown sampler or schedule, naming the known ones, or a schedule that
     *                                  contradicts the one in {@code name}
     */
    public Selection resolve(String name, Optional<String> schedule) {
        Selection named = resolveName(name);
        if (schedule.isEmpty()) {
            return named;
        }
        Optional<ScheduleEntry> requested = key(schedule.get()).equals(DEFAULT_SCHEDULE) ? Optional.empty()
                : Optional.of(scheduleNamed(schedule.get()));
        if (named.schedule().isPresent() && !named.schedule().equals(requested)) {
            throw new IllegalArgumentException("sampler '" + name.trim() + "' names schedule '"
                    + named.schedule().get().name() + "', but schedule '" + schedule.get().trim()
                    + "' was asked for: give the sampler's own name ('" + named.sampler().name()
                    + "') with the schedule, or no schedule");
        }
        return new Selection(named.sampler(), requested);
    }

    private Selection resolveName(String name) {
        String key = key(name);
        SamplerEntry exact = samplersByKey.get(key);
        if (exact != null) {
            return new Selection(exact, Optional.empty());
        }
        for (ScheduleEntry schedule : schedules) {
            String suffix = " " + key(schedule.name());
            SamplerEntry prefix = key.endsWith(suffix) ? samplersByKey.get(key(key.substring(0, key.length()
                    - suffix.length()))) : null;
            if (prefix != null) {
                return new Selection(prefix, Optional.of(schedule));
            }
        }
        if (samplers.isEmpty()) {
            throw new IllegalArgumentException("unknown sampler '" + name + "': no sampler is loaded (from " + source
                    + ")");
        }
        throw new IllegalArgumentException("unknown sampler '" + name + "': expected one of "
                + String.join(", ", names()) + " (or a diffusers scheduler class or k-diffusion sample_* name), "
                + "optionally followed by a schedule: " + scheduleNames());
    }

    private ScheduleEntry scheduleNamed(String name) {
        ScheduleEntry entry = schedulesByKey.get(key(name));
        if (entry == null) {
            throw new IllegalArgumentException("unknown schedule '" + name + "': expected " + DEFAULT_SCHEDULE
                    + (schedules.isEmpty() ? "" : " or one of " + scheduleNames())
                    + (schedules.isEmpty() ? " (no schedule is loaded from " + source + ")" : ""));
        }
        return entry;
    }

    /**
     * The selected sampler, with {@code eta} where one is given.
     *
     * @throws IllegalArgumentException if the sampler takes no eta (naming those that do) or refuses this one
     */
    public Sampler sampler(Selection selection, OptionalDouble eta) {
        Sampler sampler = selection.sampler().sampler();
        if (eta.isEmpty()) {
            return sampler;
        }
        if (sampler.eta().isEmpty()) {
            throw new IllegalArgumentException("eta = " + eta.getAsDouble() + ": sampler '" + sampler.name()
                    + "' adds no noise of its own and takes no eta; these do: " + samplers.stream()
                    .filter(e -> e.sampler().eta().isPresent()).map(SamplerEntry::name).sorted()
                    .collect(Collectors.joining(", ")));
        }
        return sampler.withEta(eta.getAsDouble());
    }

    /** The samplers, sorted by name. */
    public List<SamplerEntry> samplers() {
        return samplers.stream().sorted(Comparator.comparing(e -> key(e.name()))).toList();
    }

    /** The schedules, sorted by name. */
    public List<ScheduleEntry> schedules() {
        return schedules.stream().sorted(Comparator.comparing(e -> key(e.name()))).toList();
    }

    /** The samplers' names, sorted. */
    public List<String> names() {
        return samplers().stream().map(SamplerEntry::name).toList();
    }

    /** Extensions, or names of them, that were left out because an earlier one has the name. */
    public List<String> conflicts() {
        return List.copyOf(conflicts);
    }

    private String scheduleNames() {
        return schedules().stream().map(ScheduleEntry::name).collect(Collectors.joining(", "));
    }

    private static String key(String name) {
        return name.trim().toLowerCase(Locale.ROOT);
    }
}
