package dev.diffarm.engine.lora;

import dev.diffarm.engine.lora.LoraModule.Component;
import java.util.List;
import java.util.Optional;

/**
 * The two ways LoRA files name their tensors, read into (component, layer, role):
 * <ul>
 *   <li>kohya ({@code sd-scripts}, A1111): {@code lora_unet_<path>.lora_down.weight}, {@code .lora_up.weight},
 *       {@code .alpha}, and {@code lora_te_<path>...} for the text encoder, the diffusers key path written with
 *       underscores for dots;</li>
 *   <li>diffusers / PEFT: {@code unet.<path>.lora_A.weight}, {@code .lora_B.weight} (and {@code text_encoder.<path>}),
 *       the key path as it is, with an optional {@code .alpha}.</li>
 * </ul>
 */
final class LoraKeys {
    private LoraKeys() {
    }

    /** What a tensor does for its module. */
    enum Role { DOWN, UP, ALPHA }

    /** A tensor key taken apart: the module it belongs to (its key prefix), the layer it names, and its role. */
    record Part(String module, Component component, String layerName, Role role) {
    }

    private record Suffix(String text, Role role) {
    }

    private record Prefix(String text, Component component) {
    }

    private static final List<Suffix> SUFFIXES = List.of(
            new Suffix(".lora_down.weight", Role.DOWN),
            new Suffix(".lora_up.weight", Role.UP),
            new Suffix(".lora_A.weight", Role.DOWN),
            new Suffix(".lora_B.weight", Role.UP),
            new Suffix(".alpha", Role.ALPHA));

    private static final List<Prefix> PREFIXES = List.of(
            new Prefix("lora_unet_", Component.UNET),
            new Prefix("lora_te_", Component.TEXT_ENCODER),
            new Prefix("unet.", Component.UNET),
            new Prefix("text_encoder.", Component.TEXT_ENCODER));

    /** The parts of {@code key}, or empty for a key of neither form (another network type, SDXL's {@code lora_te1_}). */
    static Optional<Part> parse(String key) {
        for (Suffix suffix : SUFFIXES) {
            if (!key.endsWith(suffix.text())) {
                continue;
            }
            String module = key.substring(0, key.length() - suffix.text().length());
            for (Prefix prefix : PREFIXES) {
                if (module.startsWith(prefix.text()) && module.length() > prefix.text().length()) {
                    return Optional.of(new Part(module, prefix.component(), module.substring(prefix.text().length()),
                            suffix.role()));
                }
            }
        }
        return Optional.empty();
    }
}
