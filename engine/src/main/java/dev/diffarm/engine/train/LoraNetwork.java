package dev.diffarm.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.engine.lora.LoraModule;
import dev.diffarm.engine.lora.LoraWeights;
import dev.diffarm.engine.model.LayerIndex;
import dev.diffarm.engine.model.WeightedLayer;
import dev.diffarm.engine.nn.Linear;
import dev.diffarm.engine.random.TorchGenerator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trained LoRA of a UNet: one {@link TrainableLora} on each target layer, attached to the layers while it
 * trains. Its trained arrays, in {@link #parameters()} order (per layer in the UNet's build order, A then B), are
 * what the optimizer, the gradient clipping and the saved state walk through.
 */
public final class LoraNetwork implements AutoCloseable {
    private final NDManager manager;
    private final List<TrainableLora> modules;
    private final Map<String, Linear> layers;

    private LoraNetwork(NDManager manager, List<TrainableLora> modules, Map<String, Linear> layers) {
        this.manager = manager;
        this.modules = List.copyOf(modules);
        this.layers = layers;
    }

    /**
     * A fresh LoRA on every layer of {@code unet} that {@code targets} selects, as peft's "gaussian" init makes it: A
     * drawn {@code N(0, 1/r²)} (here from {@code generator}), B zero, so that training starts from the base model.
     */
    public static LoraNetwork create(LayerIndex unet, LoraTargetModules targets, int rank, float alpha,
                                     TorchGenerator generator, NDManager parent) {
        if (rank < 1) {
            throw new IllegalArgumentException("networkDim: a LoRA rank must be at least 1, got " + rank);
        }
        if (!(alpha > 0)) {
            throw new IllegalArgumentException("networkAlpha: expected a positive number, got " + alpha);
        }
        Map<String, Linear> selected = targets.select(unet);
        if (selected.isEmpty()) {
            throw new IllegalArgumentException("loraTargets: " + targets + " selects no linear layer of the UNet");
        }
        try (NDManager scratch = parent.newSubManager()) {
            List<Start> starts = new ArrayList<>();
            selected.forEach((path, layer) -> starts.add(new Start(path,
                    generator.next(scratch, new Shape(rank, layer.inFeatures())).mul(1f / rank),
                    scratch.zeros(new Shape(layer.outFeatures(), rank)), alpha)));
            return of(unet, starts, parent);
        }
    }

    /** A module's starting values: {@code down} [r, in] and {@code up} [out, r] of the linear layer at {@code path}. */
    public record Start(String path, NDArray down, NDArray up, float alpha) {
    }

    /**
     * A LoRA starting from given values (copied, as float32, into the network's own manager).
     *
     * @throws IllegalArgumentException if a path names no linear layer of the UNet or the matrices do not fit it
     */
    public static LoraNetwork of(LayerIndex unet, List<Start> starts, NDManager parent) {
        if (starts.isEmpty()) {
            throw new IllegalArgumentException("networkWeights: no UNet LoRA module to start from");
        }
        NDManager manager = parent.newSubManager();
        List<TrainableLora> modules = new ArrayList<>();
        Map<String, Linear> layers = new LinkedHashMap<>();
        for (Start start : starts) {
            WeightedLayer layer = unet.find(start.path()).orElseThrow(() -> new IllegalArgumentException(
                    "networkWeights: module " + start.path() + " names no layer of the UNet"));
            if (!(layer instanceof Linear linear)) {
                throw new IllegalArgumentException("networkWeights: module " + start.path()
                        + " is not a linear layer (only linear layers are trained)");
            }
            Shape down = start.down().getShape();
            Shape up = start.up().getShape();
            if (down.dimension() != 2 || up.dimension() != 2 || down.get(1) != linear.inFeatures()
                    || up.get(0) != linear.outFeatures() || up.get(1) != down.get(0)) {
                throw new IllegalArgumentException("networkWeights: module " + start.path() + " has down " + down
                        + " and up " + up + ", but the layer is " + linear.outFeatures() + " x " + linear.inFeatures());
            }
            modules.add(new TrainableLora(start.path(), copy(manager, start.down()), copy(manager, start.up()),
                    start.alpha()));
            layers.put(start.path(), linear);
        }
        return new LoraNetwork(manager, sortedByLayerOrder(modules, unet), layers);
    }

    /**
     * The LoRA of a file (kohya's or diffusers' layout, {@link LoraWeights}) as the starting point: every UNet module
     * of the file on the layer it names, whatever the targets say (kohya's {@code --network_weights}).
     *
     * @throws IllegalArgumentException if a module names no linear layer of the UNet, does not fit it, or the file
     *                                  updates the text encoder (not trained here)
     */
    public static LoraNetwork fromFile(LayerIndex unet, LoraWeights file, NDManager parent) {
        Map<String, List<String>> underscored = new HashMap<>();
        for (String path : unet.paths()) {
            underscored.computeIfAbsent(path.replace('.', '_'), k -> new ArrayList<>()).add(path);
        }
        List<Start> starts = new ArrayList<>();
        for (LoraModule module : file.modules()) {
            if (module.component() != LoraModule.Component.UNET) {
                throw new IllegalArgumentException("networkWeights: " + file.name() + " holds text-encoder module "
                        + module.keys().get(0) + "; only UNet LoRAs can be trained here");
            }
            String path = unet.find(module.layerName()).isPresent() ? module.layerName()
                    : single(underscored.getOrDefault(module.layerName(), List.of()), file.name(), module);
            starts.add(new Start(path, module.down(), module.up(), module.alpha()));
        }
        return of(unet, starts, parent);
    }

    /** A float32 copy in {@code manager}, whatever the file's type: the trained array must outlive the file. */
    private static NDArray copy(NDManager manager, NDArray array) {
        return manager.create(array.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray(), array.getShape());
    }

    private static String single(List<String> candidates, String file, LoraModule module) {
        if (candidates.size() != 1) {
            throw new IllegalArgumentException("networkWeights: " + file + " module " + module.keys().get(0)
                    + (candidates.isEmpty() ? " names no layer of the UNet" : " may name any of " + candidates));
        }
        return candidates.get(0);
    }

    private static List<TrainableLora> sortedByLayerOrder(List<TrainableLora> modules, LayerIndex unet) {
        Map<String, Integer> order = new HashMap<>();
        for (String path : unet.paths()) {
            order.put(path, order.size());
        }
        List<TrainableLora> sorted = new ArrayList<>(modules);
        sorted.sort((a, b) -> Integer.compare(order.get(a.path()), order.get(b.path())));
        return sorted;
    }

    /** Makes every target layer add its LoRA term; until {@link #detach}. */
    public void attach() {
        for (TrainableLora module : modules) {
            layers.get(module.path()).setBranch(module);
        }
    }

    /** Gives the layers back their plain computation. */
    public void detach() {
        for (TrainableLora module : modules) {
            layers.get(module.path()).setBranch(null);
        }
    }

    /** The trained arrays: per layer A then B, layers in the UNet's order. */
    public List<NDArray> parameters() {
        List<NDArray> out = new ArrayList<>(2 * modules.size());
        for (TrainableLora module : modules) {
            out.add(module.down());
            out.add(module.up());
        }
        return out;
    }

    /** The diffusers key path of each module, in {@link #parameters()}' order of layers. */
    public List<String> paths() {
        return modules.stream().map(TrainableLora::path).toList();
    }

    List<TrainableLora> modules() {
        return modules;
    }

    public int rank() {
        return (int) modules.get(0).rank();
    }

    public float alpha() {
        return modules.get(0).alpha();
    }

    @Override
    public void close() {
        detach();
        manager.close();
    }
}
