package dev.diffarm.engine.pipeline;

import java.util.function.Function;

/** Finding an option's value by the name users write, with an error that lists the names known. */
final class Labels {
    private Labels() {
    }

    /**
     * The value among {@code values} that one of {@code names} calls {@code name}, case ignored.
     *
     * @param field named in the error, as {@code field = name: expected one of ...}
     */
    static <E> E find(E[] values, Function<E, String> label, Function<E, String> alias, String name, String field) {
        StringBuilder known = new StringBuilder();
        for (E value : values) {
            if (label.apply(value).equalsIgnoreCase(name) || alias.apply(value).equalsIgnoreCase(name)) {
                return value;
            }
            known.append(known.isEmpty() ? "" : ", ").append(label.apply(value));
        }
        throw new IllegalArgumentException(field + " = " + name + ": expected one of " + known);
    }
}
