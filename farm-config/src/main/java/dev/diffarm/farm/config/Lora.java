package dev.diffarm.farm.config;

/**
 * A LoRA to apply while rendering, as {@code {"name": "film-grain", "weight": 0.8}} in a job. The farm finds
 * it by name among its LoRAs; {@code weight} scales its effect (default {@value Defaults#LORA_WEIGHT},
 * negative values push away from it).
 *
 * @param name   the LoRA's name on the farm
 * @param weight its strength, within &plusmn;{@value Limits#MAX_LORA_WEIGHT}
 */
public record Lora(String name, double weight) {
    public Lora {
        Rules.NAME.require("name", name);
        Rules.LORA_WEIGHT.require("weight", weight);
    }

    /** A LoRA at the default weight. */
    public Lora(String name) {
        this(name, Defaults.LORA_WEIGHT);
    }
}
