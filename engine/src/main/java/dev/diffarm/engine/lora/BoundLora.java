package dev.diffarm.engine.lora;

import dev.diffarm.engine.model.WeightedLayer;
import java.util.List;

/**
 * A LoRA matched to the layers of one model ({@link LoraTargets#bind}).
 *
 * @param name           the LoRA's name
 * @param patches        each module with the layer it updates
 * @param unmatchedKeys  the file's tensor keys that update no layer of the model: modules naming layers the model does
 *                       not have, and tensors of no LoRA module ({@link LoraWeights#unrecognizedKeys})
 */
public record BoundLora(String name, List<Patch> patches, List<String> unmatchedKeys) {

    /** One module and the layer it updates, found under {@code path}. */
    public record Patch(String path, WeightedLayer layer, LoraModule module) {
    }

    public BoundLora {
        patches = List.copyOf(patches);
        unmatchedKeys = List.copyOf(unmatchedKeys);
    }

    /**
     * A one-line account of the keys that update nothing ("lora-x: 3 of 120 tensors match no layer of the model, e.g.
     * ..."), or empty if every key found its layer.
     */
    public String unmatchedSummary() {
        if (unmatchedKeys.isEmpty()) {
            return "";
        }
        int total = unmatchedKeys.size() + patches.stream().mapToInt(p -> p.module().keys().size()).sum();
        return name + ": " + unmatchedKeys.size() + " of " + total + " tensors match no layer of the model and are "
                + "not applied, e.g. " + String.join(", ", unmatchedKeys.subList(0, Math.min(5, unmatchedKeys.size())));
    }
}
