package dev.diffarm.engine.lora;

/**
 * A bound LoRA with the weight it is applied at: AUTOMATIC1111's {@code <lora:name:weight>}, diffusers'
 * {@code set_adapters(names, adapter_weights)}.
 */
public record WeightedLora(BoundLora lora, double weight) {
    public WeightedLora {
        if (!Double.isFinite(weight)) {
            throw new IllegalArgumentException("LoRA " + lora.name() + ": weight " + weight + " is not a finite number");
        }
    }
}
