package dev.diffarm.engine.image;

/** A file used by a render and its A1111 short hash, as listed in {@code TI hashes} and {@code Lora hashes}. */
public record NamedHash(String name, String hash) {
}
