package dev.diffarm.engine.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.engine.clip.ClipTextModel;
import dev.diffarm.engine.lora.BoundLora;
import dev.diffarm.engine.lora.FusedLoras;
import dev.diffarm.engine.lora.LoraModule;
import dev.diffarm.engine.lora.LoraModule.Component;
import dev.diffarm.engine.lora.LoraTargets;
import dev.diffarm.engine.lora.LoraWeights;
import dev.diffarm.engine.lora.WeightedLora;
import dev.diffarm.engine.model.ArchitectureShapes;
import dev.diffarm.engine.model.FreshWeights;
import dev.diffarm.engine.model.LayerIndex;
import dev.diffarm.engine.model.ModelFiles;
import dev.diffarm.engine.model.TensorSource;
import dev.diffarm.engine.model.TextEncoderConfig;
import dev.diffarm.engine.model.UNetConfig;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.unet.UNet2DConditionModel;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Times switching LoRAs: fusing a random LoRA into a UNet and text encoder, and restoring their weights, as a
 * campaign that alternates LoRAs does between batches. The LoRA has kohya's default reach: every linear and 1x1
 * convolution of the UNet's transformers (attention, feed-forward, proj_in/out) and every linear of the text
 * encoder. The model is SD 1.5's architecture on fresh random weights, or a model from disk. Prints
 * {@code key=value} lines; the times are medians.
 */
public final class LoraBenchmark {
    private final Optional<Path> model;
    private final Optional<Path> configDir;
    private final int rank;
    private final int iterations;
    private final PrintStream out;

    /**
     * @param model a diffusers folder or single file to take the UNet and text encoder from; SD 1.5 on random weights
     *              when empty
     */
    public LoraBenchmark(Optional<Path> model, Optional<Path> configDir, int rank, int iterations, PrintStream out) {
        if (rank < 1) {
            throw new IllegalArgumentException("LoRA rank " + rank + ": expected at least 1");
        }
        if (iterations < 1) {
            throw new IllegalArgumentException("bench iterations " + iterations + ": expected at least 1");
        }
        this.model = model;
        this.configDir = configDir;
        this.rank = rank;
        this.iterations = iterations;
        this.out = out;
    }

    public void run() {
        try (NDManager manager = NDManager.newBaseManager()) {
            long t0 = System.nanoTime();
            Layers layers = model.map(path -> load(path, manager)).orElseGet(() -> fresh(manager));
            out.printf("model=%s weights_init_ms=%.0f threads=%d%n", model.map(Path::toString).orElse("sd15-random"),
                    (System.nanoTime() - t0) / 1e6, Runtime.getRuntime().availableProcessors());
            try (LoraWeights lora = randomLora(layers, manager.newSubManager())) {
                long bindStart = System.nanoTime();
                BoundLora bound = new LoraTargets(layers.unet(), layers.textEncoder()).bind(lora);
                double bindMs = (System.nanoTime() - bindStart) / 1e6;
                long parameters = lora.modules().stream().mapToLong(m -> m.down().size() + m.up().size()).sum();
                out.printf("lora_rank=%d lora_layers=%d lora_parameters=%d bind_ms=%.1f%n", rank, bound.patches().size(),
                        parameters, bindMs);
                timeSwitches(List.of(new WeightedLora(bound, 0.8)));
            }
            out.printf("peak_rss_mb=%d%n", ProcessMemory.peakResidentMegabytes());
        }
    }

    private record Layers(LayerIndex unet, LayerIndex textEncoder) {
    }

    private Layers load(Path path, NDManager manager) {
        try (ModelFiles files = ModelFiles.open(path, configDir)) {
            return build(files.unet().tensors(), files.unet().config(), files.textEncoder().tensors(),
                    files.textEncoder().config(), manager);
        }
    }

    private static Layers fresh(NDManager manager) {
        UNetConfig unet = Sd15Architecture.unet();
        TextEncoderConfig text = Sd15Architecture.textEncoder();
        return build(new FreshWeights(ArchitectureShapes.unet(unet), 1.0, "SD 1.5 UNet"), unet,
                new FreshWeights(ArchitectureShapes.textEncoder(text), 1.0, "CLIP ViT-L/14 text"), text, manager);
    }

    private static Layers build(TensorSource unetTensors, UNetConfig unetConfig, TensorSource textTensors,
                                TextEncoderConfig textConfig, NDManager manager) {
        Weights unet = new Weights(unetTensors, manager);
        new UNet2DConditionModel(unet, unetConfig);
        Weights text = new Weights(textTensors, manager);
        new ClipTextModel(text, textConfig);
        return new Layers(unet.layers(), text.layers());
    }

    /** Rank-{@code rank} modules (alpha = rank) for kohya's default targets, in diffusers/PEFT naming. */
    private LoraWeights randomLora(Layers layers, NDManager manager) {
        List<LoraModule> modules = new ArrayList<>();
        for (String path : layers.unet().paths()) {
            if (path.contains(".attentions.")) {
                modules.add(randomModule(Component.UNET, path, layers.unet(), manager));
            }
        }
        for (String path : layers.textEncoder().paths()) {
            modules.add(randomModule(Component.TEXT_ENCODER, path, layers.textEncoder(), manager));
        }
        return new LoraWeights("random-rank" + rank, manager, modules, List.of());
    }

    private LoraModule randomModule(Component component, String path, LayerIndex index, NDManager manager) {
        Shape weight = index.find(path).orElseThrow().originalWeight().getShape();
        long outFeatures = weight.get(0);
        long[] downShape = weight.getShape().clone();
        downShape[0] = rank;
        long[] upShape = weight.dimension() == 4 ? new long[] {outFeatures, rank, 1, 1} : new long[] {outFeatures, rank};
        return new LoraModule(component, path, List.of(path), 
                manager.randomNormal(0f, 0.01f, new Shape(downShape), DataType.FLOAT32),
                manager.randomNormal(0f, 0.01f, new Shape(upShape), DataType.FLOAT32), rank);
    }

    /** One untimed switch, then {@code iterations} timed fuse + restore pairs. */
    private void timeSwitches(List<WeightedLora> loras) {
        double[] fuse = new double[iterations];
        double[] restore = new double[iterations];
        for (int i = -1; i < iterations; i++) {
            long start = System.nanoTime();
            FusedLoras fused = FusedLoras.fuse(loras);
            long fusedAt = System.nanoTime();
            fused.close();
            long restoredAt = System.nanoTime();
            if (i >= 0) {
                fuse[i] = (fusedAt - start) / 1e6;
                restore[i] = (restoredAt - fusedAt) / 1e6;
                out.printf("switch_iter%d fuse_ms=%.1f restore_ms=%.2f%n", i, fuse[i], restore[i]);
            }
        }
        double fuseMs = Median.of(fuse);
        double restoreMs = Median.of(restore);
        out.printf("lora_fuse_ms=%.1f%n", fuseMs);
        out.printf("lora_restore_ms=%.2f%n", restoreMs);
        out.printf("lora_switch_ms=%.1f%n", fuseMs + restoreMs);
    }
}
