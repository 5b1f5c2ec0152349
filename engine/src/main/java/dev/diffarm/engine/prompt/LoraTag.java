package dev.diffarm.engine.prompt;

/**
 * A {@code <lora:NAME:WEIGHT>} tag of a prompt: the LoRA's name as the user wrote it (looked up in the LoRA
 * folder by whoever applies it) and its weight, 1 when the tag gives none.
 */
public record LoraTag(String name, double weight) {
}
