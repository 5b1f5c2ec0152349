package dev.diffarm.engine.lora;

import java.nio.file.Path;

/**
 * A LoRA a render asks for.
 *
 * @param name   the name the user gave it (a prompt tag's name, or the file name), written into the PNG
 * @param file   its {@code .safetensors} file
 * @param weight its weight ({@code <lora:name:weight>})
 */
public record LoraRequest(String name, Path file, double weight) {
}
