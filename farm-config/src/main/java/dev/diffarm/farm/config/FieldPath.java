package dev.diffarm.farm.config;

/** Paths into a JSON document as errors name them: {@code styles[0].template}. The root is the empty path. */
final class FieldPath {
    private FieldPath() {
    }

    static String field(String parent, String name) {
        return parent.isEmpty() ? name : parent + "." + name;
    }

    static String index(String parent, int index) {
        return parent + "[" + index + "]";
    }
}
