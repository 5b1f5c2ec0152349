package dev.diffarm.engine.lora;

import dev.diffarm.engine.lora.LoraModule.Component;
import dev.diffarm.engine.model.LayerIndex;
import dev.diffarm.engine.model.WeightedLayer;
import dev.diffarm.engine.pipeline.StableDiffusion;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The layers of a model that LoRA modules can update, found by the names LoRA files give them. A diffusers/PEFT
 * file names a layer by its key path; a kohya file writes the path with underscores for dots, which alone cannot be
 * split back ({@code down_blocks_0_attentions_0_proj_in}), so it is looked up among the model's own paths written
 * the same way.
 */
public final class LoraTargets {
    private final Map<Component, LayerIndex> indexes = new EnumMap<>(Component.class);
    private final Map<Component, Map<String, List<String>>> underscored = new EnumMap<>(Component.class);

    public LoraTargets(LayerIndex unet, LayerIndex textEncoder) {
        indexes.put(Component.UNET, unet);
        indexes.put(Component.TEXT_ENCODER, textEncoder);
        indexes.forEach((component, index) -> {
            Map<String, List<String>> paths = new HashMap<>();
            for (String path : index.paths()) {
                paths.computeIfAbsent(path.replace('.', '_'), k -> new ArrayList<>()).add(path);
            }
            underscored.put(component, paths);
        });
    }

    /** The UNet's and the text encoder's layers of a loaded model. */
    public static LoraTargets of(StableDiffusion model) {
        return new LoraTargets(model.unetLayers(), model.textEncoderLayers());
    }

    /**
     * Matches every module of {@code lora} to its layer. Modules naming no layer of the model are listed in the
     * result's {@link BoundLora#unmatchedKeys}, never dropped silently.
     *
     * @throws LoraException if a module's matrices do not fit the layer it names (a LoRA for another base model), or
     *                       if a kohya name fits two layers
     */
    public BoundLora bind(LoraWeights lora) {
        List<BoundLora.Patch> patches = new ArrayList<>();
        List<String> unmatched = new ArrayList<>(lora.unrecognizedKeys());
        for (LoraModule module : lora.modules()) {
            Optional<String> path = resolve(lora.name(), module);
            if (path.isEmpty()) {
                unmatched.addAll(module.keys());
                continue;
            }
            WeightedLayer layer = indexes.get(module.component()).find(path.get()).orElseThrow();
            if (!module.fits(layer.originalWeight().getShape())) {
                throw new LoraException("LoRA " + lora.name() + ": module " + module.keys().get(0) + " updates a "
                        + module.outFeatures() + " x " + module.inElements() + " weight, but layer " + path.get()
                        + " has weight " + layer.originalWeight().getShape()
                        + " (a LoRA for another base model?)");
            }
            patches.add(new BoundLora.Patch(path.get(), layer, module));
        }
        return new BoundLora(lora.name(), patches, unmatched);
    }

    private Optional<String> resolve(String loraName, LoraModule module) {
        String name = module.layerName();
        if (indexes.get(module.component()).find(name).isPresent()) {
            return Optional.of(name);
        }
        List<String> candidates = underscored.get(module.component()).getOrDefault(name, List.of());
        if (candidates.size() > 1) {
            throw new LoraException("LoRA " + loraName + ": module " + module.keys().get(0) + " may name any of the layers "
                    + candidates + "; this model's layer names are ambiguous in kohya's form");
        }
        return candidates.stream().findFirst();
    }
}
