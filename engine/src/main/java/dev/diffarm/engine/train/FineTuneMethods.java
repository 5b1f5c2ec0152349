package dev.diffarm.engine.train;

import dev.diffarm.api.finetune.FineTuneMethod;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The fine-tune methods the plugins supply, by name. */
public final class FineTuneMethods {
    private final Map<String, FineTuneMethod> byName;

    /** @throws IllegalStateException if two methods share a name */
    public FineTuneMethods(List<FineTuneMethod> methods) {
        this.byName = new TreeMap<>();
        for (FineTuneMethod m : methods) {
            FineTuneMethod before = byName.putIfAbsent(m.name(), m);
            if (before != null && before.getClass() != m.getClass()) {
                throw new IllegalStateException("two fine-tune methods are named " + m.name() + ": "
                        + before.getClass().getName() + " and " + m.getClass().getName());
            }
        }
    }

    /** @throws IllegalArgumentException naming {@code --method} if no plugin supplies it */
    public FineTuneMethod named(String name) {
        FineTuneMethod method = byName.get(name);
        if (method == null) {
            throw new IllegalArgumentException("--method: '" + name + "' is not available; expected one of "
                    + byName.keySet() + (byName.isEmpty() ? " (no fine-tune plugin is loaded: is the plugins directory "
                    + "right?)" : ""));
        }
        return method;
    }

    public List<String> names() {
        return List.copyOf(byName.keySet());
    }
}
