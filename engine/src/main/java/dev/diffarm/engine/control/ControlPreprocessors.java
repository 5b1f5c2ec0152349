package dev.diffarm.engine.control;

import dev.diffarm.api.control.ControlPreprocessor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The control preprocessors the plugins supply, found by name or alias, ignoring case ({@code Canny} is
 * {@code canny}), as {@link ControlPreprocessor} promises.
 */
public final class ControlPreprocessors {
    private final Map<String, ControlPreprocessor> byName = new TreeMap<>();
    private final List<ControlPreprocessor> all = new ArrayList<>();

    /** @throws IllegalStateException if two preprocessors answer to one name or alias */
    public ControlPreprocessors(List<ControlPreprocessor> preprocessors) {
        for (ControlPreprocessor preprocessor : preprocessors) {
            List<String> names = new ArrayList<>(List.of(preprocessor.name()));
            names.addAll(preprocessor.aliases());
            for (String name : names) {
                ControlPreprocessor before = byName.putIfAbsent(key(name), preprocessor);
                if (before != null && before != preprocessor) {
                    throw new IllegalStateException("two control preprocessors answer to '" + name + "': "
                            + before.getClass().getName() + " and " + preprocessor.getClass().getName());
                }
            }
            all.add(preprocessor);
        }
        all.sort(java.util.Comparator.comparing(ControlPreprocessor::name));
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the preprocessor and the known ones if no plugin supplies it */
    public ControlPreprocessor named(String name) {
        ControlPreprocessor preprocessor = byName.get(key(name));
        if (preprocessor == null) {
            throw new IllegalArgumentException("control preprocessor '" + name + "' is not available; expected one of "
                    + names() + (all.isEmpty() ? " (no preprocessor plugin is loaded: is the plugins directory right?)"
                    : ""));
        }
        return preprocessor;
    }

    /** Every preprocessor's name (not its aliases), sorted. */
    public List<String> names() {
        return all.stream().map(ControlPreprocessor::name).toList();
    }

    /** Every preprocessor, sorted by name. */
    public List<ControlPreprocessor> all() {
        return List.copyOf(all);
    }
}
