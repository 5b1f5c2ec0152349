package dev.diffarm.engine.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.engine.lora.LoraModule.Component;
import dev.diffarm.engine.model.FreshWeights;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.nn.Linear;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Kohya names found among the model's own layer paths, and the two cases that need care. */
class LoraTargetsTest {
    @Test
    void kohyaNamesResolveAgainstTheModelsPathsAndAmbiguityIsAnError() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (String path : List.of("blocks.0.proj_in", "blocks.0_proj.in", "blocks.1.proj_in")) {
            shapes.put(path + ".weight", new long[] {4, 4});
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            Weights weights = new Weights(new FreshWeights(shapes, 1.0, "three linears"), manager);
            shapes.keySet().forEach(key -> new Linear(weights.at(key.substring(0, key.length() - ".weight".length()))));
            LoraTargets targets = new LoraTargets(weights.layers(), new Weights(new FreshWeights(Map.of(), 1, "none"),
                    manager).layers());
            LoraWeights lora = new LoraWeights("l", manager.newSubManager(), List.of(
                    module(manager, "blocks_1_proj_in"),
                    module(manager, "blocks.0_proj.in"),
                    module(manager, "blocks_9_proj_in")), List.of());
            BoundLora bound = targets.bind(lora);
            assertEquals(List.of("blocks.1.proj_in", "blocks.0_proj.in"),
                    bound.patches().stream().map(BoundLora.Patch::path).toList(), "underscored, then exact");
            assertEquals(List.of("key of blocks_9_proj_in"), bound.unmatchedKeys());

            LoraWeights ambiguous = new LoraWeights("amb", manager.newSubManager(),
                    List.of(module(manager, "blocks_0_proj_in")), List.of());
            LoraException e = assertThrows(LoraException.class, () -> targets.bind(ambiguous));
            assertEquals("LoRA amb: module key of blocks_0_proj_in may name any of the layers "
                    + "[blocks.0.proj_in, blocks.0_proj.in]; this model's layer names are ambiguous in kohya's form",
                    e.getMessage());
        }
    }

    private static LoraModule module(NDManager manager, String name) {
        return new LoraModule(Component.UNET, name, List.of("key of " + name), manager.zeros(new Shape(1, 4)),
                manager.zeros(new Shape(4, 1)), 1f);
    }
}
