package dev.diffarm.farm.config;

/**
 * Where checks report what they find. The parser collects every problem of a document; the records'
 * constructors use {@link #THROWING}, so a job built in Java is held to the same rules, with the same messages.
 */
@FunctionalInterface
interface Problems {
    /** Fails on the first problem with an {@link IllegalArgumentException} carrying its message. */
    Problems THROWING = error -> {
        throw new IllegalArgumentException(error.message());
    };

    void report(ValidationError error);
}
