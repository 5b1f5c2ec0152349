package dev.diffarm.farm.config;

/** A check of a value as a whole (such as a list whose items must be distinct), reporting what it finds. */
@FunctionalInterface
interface Check<T> {
    void check(Problems problems, String path, T value);
}
