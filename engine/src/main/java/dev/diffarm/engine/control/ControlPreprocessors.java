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

    private final Map<String, ControlPreprocessor> byName = new TreeMap<>();
    private final List<Entry> entries;

    /** @throws IllegalStateException if two preprocessors answer to one name or alias */
    public ControlPreprocessors(List<Entry> entries) {
        for (Entry entry : entries) {
            ControlPreprocessor preprocessor = entry.preprocessor();
            List<String> names = new ArrayList<>(List.of(preprocessor.name()));
            names.addAll(preprocessor.aliases());
            for (String name : names) {
                ControlPreprocessor before = byName.putIfAbsent(key(name), preprocessor);
                if (before != null && before != preprocessor) {
                    throw new IllegalStateException("two control preprocessors answer to '" + name + "': "
                            + before.getClass().getName() + " and " + preprocessor.getClass().getName());
                }
            }
        }
        this.entries = entries.stream().sorted(Comparator.comparing(e -> e.preprocessor().name())).toList();
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the preprocessor and the known ones if no plugin supplies it */
    public ControlPreprocessor named(String name) {
        ControlPreprocessor preprocessor = byName.get(key(name));
        if (preprocessor == null) {
            throw new IllegalArgumentException("control preprocessor '" + name + "' is not available; expected one of "
                    + names() + (entries.isEmpty() ? " (no preprocessor plugin is loaded: is the plugins directory "
                    + "right?)" : ""));
        }
        return preprocessor;
    }

    /** Every preprocessor's name (not its aliases), sorted. */
    public List<String> names() {
        return entries.stream().map(e -> e.preprocessor().name()).toList();
    }

    /** Every preprocessor with its plugin, sorted by name. */
    public List<Entry> entries() {
        return entries;
    }
}
