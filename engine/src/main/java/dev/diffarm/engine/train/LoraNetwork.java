package dev.diffarm.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.api.finetune.LoraParts;
import dev.diffarm.engine.lora.LoraModule;
import dev.diffarm.engine.lora.LoraModule.Component;
import dev.diffarm.engine.lora.LoraWeights;
import dev.diffarm.engine.model.LayerIndex;
import dev.diffarm.engine.model.WeightedLayer;
import dev.diffarm.engine.nn.Linear;
import dev.diffarm.engine.random.TorchGenerator;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trained LoRA of a model: one {@link TrainableLora} on each target layer of the text encoder and of the UNet,
 * attached to the layers while it trains. Its trained arrays, in {@link #parameters()} order (per layer A then B, the
 * text encoder's layers first, then the UNet's, each in its build order: kohya's order of the two groups), are what
 * the optimizer, the gradient clipping and the saved state walk through.
 */
public final class LoraNetwork implements AutoCloseable {
    private final NDManager manager;
    private final List<TrainableLora> modules;
    /** Each module's layer, by the module's kohya stem. */
    private final Map<String, Linear> layers;

    private LoraNetwork(NDManager manager, List<TrainableLora> modules, Map<String, Linear> layers) {
        this.manager = manager;
        this.modules = List.copyOf(modules);
        this.layers = layers;
    }

    /** The layers a LoRA can sit on: the text encoder's and the UNet's, by key path. */
    public record Layers(LayerIndex textEncoder, LayerIndex unet) {
        /** A UNet alone (no text-encoder module can be placed). */
        public static Layers unetOnly(LayerIndex unet) {
            return new Layers(new LayerIndex(), unet);
        }

        LayerIndex of(Component component) {
            return component == Component.UNET ? unet : textEncoder;
        }
    }

    /**
     * A fresh LoRA on every layer of {@code unet} that {@code targets} selects, as peft's "gaussian" init makes it: A
     * drawn {@code N(0, 1/r²)} (here from {@code generator}), B zero, so that training starts from the base model.
     */
    public static LoraNetwork create(LayerIndex unet, LoraTargetModules targets, int rank, float alpha,
                                     TorchGenerator generator, NDManager parent) {
        return create(Layers.unetOnly(unet), LoraParts.UNET, targets, rank, alpha, generator, parent);
    }

    /**
     * A fresh LoRA on the layers of {@code parts}: on the text encoder kohya's default set
     * ({@link LoraTargetModules#selectTextEncoder}), on the UNet what {@code targets} selects; A drawn
     * {@code N(0, 1/r²)} from {@code generator}, the text encoder's modules first, B zero.
     */
    public static LoraNetwork create(Layers model, LoraParts parts, LoraTargetModules targets, int rank, float alpha,
                                     TorchGenerator generator, NDManager parent) {
        if (rank < 1) {
            throw new IllegalArgumentException("networkDim: a LoRA rank must be at least 1, got " + rank);
        }
        if (!(alpha > 0)) {
            throw new IllegalArgumentException("networkAlpha: expected a positive number, got " + alpha);
        }
        Map<String, Linear> text = parts.hasTextEncoder() ? LoraTargetModules.selectTextEncoder(model.textEncoder())
                : Map.of();
        if (parts.hasTextEncoder() && text.isEmpty()) {
            throw new IllegalArgumentException("networkTrainTextEncoderOnly: the model has no text-encoder layer a LoRA "
                    + "can train");
        }
        Map<String, Linear> unet = parts.hasUNet() ? targets.select(model.unet()) : Map.of();
        if (parts.hasUNet() && unet.isEmpty()) {
            throw new IllegalArgumentException("loraTargets: " + targets + " selects no linear layer of the UNet");
        }
        try (NDManager scratch = parent.newSubManager()) {
            List<Start> starts = new ArrayList<>();
            text.forEach((path, layer) -> starts.add(fresh(Component.TEXT_ENCODER, path, layer, rank, alpha, generator,
                    scratch)));
            unet.forEach((path, layer) -> starts.add(fresh(Component.UNET, path, layer, rank, alpha, generator,
                    scratch)));
            return of(model, starts, parent);
        }
    }

    private static Start fresh(Component component, String path, Linear layer, int rank, float alpha,
                               TorchGenerator generator, NDManager scratch) {
        return new Start(component, path, generator.next(scratch, new Shape(rank, layer.inFeatures())).mul(1f / rank),
                scratch.zeros(new Shape(layer.outFeatures(), rank)), alpha);
    }

    /**
     * A module's starting values: {@code down} [r, in] and {@code up} [out, r] of the linear layer at {@code path} of
     * {@code component}.
     */
    public record Start(Component component, String path, NDArray down, NDArray up, float alpha) {
        /** A UNet module. */
        public Start(String path, NDArray down, NDArray up, float alpha) {
            this(Component.UNET, path, down, up, alpha);
        }
    }

    /** A LoRA on UNet layers starting from given values (see {@link #of(Layers, List, NDManager)}). */
    public static LoraNetwork of(LayerIndex unet, List<Start> starts, NDManager parent) {
        return of(Layers.unetOnly(unet), starts, parent);
    }

    /**
     * A LoRA starting from given values (copied, as float32, into the network's own manager).
     *
     * @throws IllegalArgumentException if a path names no linear layer of its component or the matrices do not fit it
     */
    public static LoraNetwork of(Layers model, List<Start> starts, NDManager parent) {
        if (starts.isEmpty()) {
            throw new IllegalArgumentException("networkWeights: no LoRA module to start from");
        }
        NDManager manager = parent.newSubManager();
        List<TrainableLora> modules = new ArrayList<>();
        Map<String, Linear> layers = new LinkedHashMap<>();
        for (Start start : starts) {
            String part = start.component() == Component.UNET ? "the UNet" : "the text encoder";
            WeightedLayer layer = model.of(start.component()).find(start.path()).orElseThrow(() ->
                    new IllegalArgumentException("networkWeights: module " + start.path() + " names no layer of " + part));
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
            TrainableLora module = new TrainableLora(start.component(), start.path(), copy(manager, start.down()),
                    copy(manager, start.up()), start.alpha());
            modules.add(module);
            layers.put(module.stem(), linear);
        }
        return new LoraNetwork(manager, sortedByLayerOrder(modules, model), layers);
    }

    /**
     * The LoRA of a file (kohya's or diffusers' layout, {@link LoraWeights}) as the starting point: every module of
     * the file on the layer it names, the UNet's and the text encoder's, whatever the targets say (kohya's
     * {@code --network_weights} with {@code --dim_from_weights}).
     *
     * @throws IllegalArgumentException if a module names no linear layer of its component or does not fit it
     */
    public static LoraNetwork fromFile(Layers model, LoraWeights file, NDManager parent) {
        Map<Component, Map<String, List<String>>> underscored = new EnumMap<>(Component.class);
        for (Component component : Component.values()) {
            Map<String, List<String>> paths = new HashMap<>();
            for (String path : model.of(component).paths()) {
                paths.computeIfAbsent(path.replace('.', '_'), k -> new ArrayList<>()).add(path);
            }
            underscored.put(component, paths);
        }
        List<Start> starts = new ArrayList<>();
        for (LoraModule module : file.modules()) {
            Component component = module.component();
            String path = model.of(component).find(module.layerName()).isPresent() ? module.layerName()
                    : single(underscored.get(component).getOrDefault(module.layerName(), List.of()), file.name(), module);
            starts.add(new Start(component, path, module.down(), module.up(), module.alpha()));
        }
        return of(model, starts, parent);
    }

    /** A float32 copy in {@code manager}, whatever the file's type: the trained array must outlive the file. */
    private static NDArray copy(NDManager manager, NDArray array) {
        return manager.create(array.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray(), array.getShape());
    }

    private static String single(List<String> candidates, String file, LoraModule module) {
        if (candidates.size() != 1) {
            String part = module.component() == Component.UNET ? "the UNet" : "the text encoder";
            throw new IllegalArgumentException("networkWeights: " + file + " module " + module.keys().get(0)
                    + (candidates.isEmpty() ? " names no layer of " + part : " may name any of " + candidates));
        }
        return candidates.get(0);
    }

    /** The text encoder's modules first, then the UNet's, each in its model's build order. */
    private static List<TrainableLora> sortedByLayerOrder(List<TrainableLora> modules, Layers model) {
        Map<String, Integer> order = new HashMap<>();
        for (Component component : List.of(Component.TEXT_ENCODER, Component.UNET)) {
            for (String path : model.of(component).paths()) {
                order.put(KohyaLoraFile.stem(component, path), order.size());
            }
        }
        List<TrainableLora> sorted = new ArrayList<>(modules);
        sorted.sort((a, b) -> Integer.compare(order.get(a.stem()), order.get(b.stem())));
        return sorted;
    }

    /** Makes every target layer add its LoRA term; until {@link #detach}. */
    public void attach() {
        for (TrainableLora module : modules) {
            layers.get(module.stem()).setBranch(module);
        }
    }

    /** Gives the layers back their plain computation. */
    public void detach() {
        for (TrainableLora module : modules) {
            layers.get(module.stem()).setBranch(null);
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

    /** Whether any module sits on a text-encoder layer. */
    public boolean hasTextEncoderModules() {
        return modules.stream().anyMatch(m -> m.component() == Component.TEXT_ENCODER);
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
