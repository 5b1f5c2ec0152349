package dev.diffarm.engine.lora;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.diffarm.engine.model.WeightedLayer;
import dev.diffarm.engine.nn.DataTypes;
import dev.diffarm.engine.nn.NativeOps;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LoRAs fused into a model's weights until {@link #close}: each updated layer computes with
 * {@code W' = W + Σ_i weight_i · alpha_i / rank_i · (up_i · down_i)} (diffusers' {@code set_adapters} and
 * {@code fuse_lora}). Closing gives every layer back its loaded weight
 * — the very array, so no drift builds up however often LoRAs are switched — and frees the fused copies.
 *
 * <p>A model carries one fusion at a time: close it before fusing other LoRAs into the same model. Fusing costs one
 * low-rank product added to each updated layer (and a re-pack for convolutions), once per switch, after which a
 * render runs at the speed of the plain model.
 */
public final class FusedLoras implements AutoCloseable {
    private final NDManager manager;
    private final List<WeightedLayer> updated;
    private boolean closed;

    private FusedLoras(NDManager manager, List<WeightedLayer> updated) {
        this.manager = manager;
        this.updated = updated;
    }

    /** Fuses {@code loras} into the layers they are bound to; LoRAs of weight 0 leave the model as it is. */
    public static FusedLoras fuse(List<WeightedLora> loras) {
        // layers are identities (no equals), so this map keeps each layer once, in the order first updated
        Map<WeightedLayer, List<Term>> terms = new LinkedHashMap<>();
        for (WeightedLora lora : loras) {
            if (lora.weight() == 0) {
                continue;
            }
            for (BoundLora.Patch patch : lora.lora().patches()) {
                terms.computeIfAbsent(patch.layer(), l -> new ArrayList<>()).add(new Term(patch.module(), lora.weight()));
            }
        }
        // the fused weights live beside the model's: on its device
        Device device = terms.keySet().stream().findFirst().map(layer -> layer.originalWeight().getDevice())
                .orElse(Device.cpu());
        NDManager manager = NDManager.newBaseManager(device);
        List<WeightedLayer> updated = new ArrayList<>();
        try {
            for (Map.Entry<WeightedLayer, List<Term>> layer : terms.entrySet()) {
                layer.getKey().setWeight(fusedWeight(layer.getKey().originalWeight(), layer.getValue(), manager));
                updated.add(layer.getKey());
            }
        } catch (RuntimeException e) {
            updated.forEach(WeightedLayer::restore);
            manager.close();
            throw e;
        }
        return new FusedLoras(manager, updated);
    }

    private record Term(LoraModule module, double weight) {
    }

    /**
     * {@code W + Σ_i s_i·up_i·down_i}, in {@code manager}, as one product of the stacked factors
     * {@code [s_1·up_1 | s_2·up_2 | ...] · [down_1; down_2; ...]} added to W in a single pass: one allocation per
     * layer whatever the number of LoRAs, and no full-size intermediate.
     */
    private static NDArray fusedWeight(NDArray original, List<Term> terms, NDManager manager) {
        try (NDScope scope = new NDScope()) {
            NDList ups = new NDList();
            NDList downs = new NDList();
            for (Term term : terms) {
                ups.add(term.module().scaledUp(term.weight()));
                downs.add(term.module().flatDown());
            }
            NDArray up = ups.size() == 1 ? ups.get(0) : NDArrays.concat(ups, 1);
            NDArray down = downs.size() == 1 ? downs.get(0) : NDArrays.concat(downs, 0);
            // in float32 on the weight's device, cast back to the weight's type, as diffusers' fuse_lora
            Device device = original.getDevice();
            NDArray fused = DataTypes.as(NativeOps.addLowRank(DataTypes.as(original, DataType.FLOAT32),
                    up.toDevice(device, false), down.toDevice(device, false)), original.getDataType());
            fused.attach(manager);
            NDScope.unregister(fused);
            return fused;
        }
    }

    /** How many layers compute with fused weights. */
    public int updatedLayers() {
        return updated.size();
    }

    /** Restores every updated layer's loaded weight and frees the fused weights. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        updated.forEach(WeightedLayer::restore);
        manager.close();
    }
}
