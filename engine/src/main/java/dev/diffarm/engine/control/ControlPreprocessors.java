package dev.diffarm.engine.control;

import dev.diffarm.api.control.ControlPreprocessor;
import dev.diffarm.engine.sampler.PluginOrigin;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The control preprocessors the plugins supply, found by name or alias, ignoring case ({@code Canny} is
 * {@code canny}), as {@link ControlPreprocessor} promises.
 */
public final class ControlPreprocessors {
    /**
     * A preprocessor and the plugin it came from.
     *
     * @param preprocessor the extension
     * @param origin       its plugin's id and version
     */
    public record Entry(ControlPreprocessor preprocessor, PluginOrigin origin) {
    }

    private final Map<String, Entry> byName = new TreeMap<>();
    private final List<Entry> entries = new ArrayList<>();
    private final List<String> conflicts = new ArrayList<>();

    /**
     * @param entries the preprocessors in the order they take names: one that answers to a name or alias taken by an
     *                earlier one is left out, and listed in {@link #conflicts}
     */
    public ControlPreprocessors(List<Entry> entries) {
        for (Entry entry : entries) {
            List<String> names = new ArrayList<>(List.of(entry.preprocessor().name()));
            names.addAll(entry.preprocessor().aliases());
            List<String> taken = names.stream().filter(name -> byName.containsKey(key(name))).toList();
            if (!taken.isEmpty()) {
                Entry first = byName.get(key(taken.get(0)));
                conflicts.add("control preprocessor " + entry.preprocessor().name() + " of plugin " + entry.origin()
                        + " left out: " + taken + " already taken by " + first.preprocessor().name() + " of plugin "
                        + first.origin());
                continue;
            }
            names.forEach(name -> byName.put(key(name), entry));
            this.entries.add(entry);
        }
        this.entries.sort(Comparator.comparing(e -> e.preprocessor().name()));
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    /**
     * The preprocessor {@code name} selects, by name or alias, ignoring case.
     *
     * @throws IllegalArgumentException naming the preprocessor and the known ones if no plugin supplies it
     */
    public ControlPreprocessor named(String name) {
        Entry entry = byName.get(key(name));
        if (entry == null) {
            throw new IllegalArgumentException("control preprocessor '" + name + "' is not available; expected one of "
                    + names() + (entries.isEmpty() ? " (no preprocessor plugin is loaded: is the plugins directory "
                    + "right?)" : ""));
        }
        return entry.preprocessor();
    }

    /** Every preprocessor's name (not its aliases), sorted. */
    public List<String> names() {
        return entries.stream().map(e -> e.preprocessor().name()).toList();
    }

    /** Every preprocessor with its plugin, sorted by name. */
    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** Preprocessors left out because another had taken one of their names, each with why. */
    public List<String> conflicts() {
        return List.copyOf(conflicts);
    }
}
