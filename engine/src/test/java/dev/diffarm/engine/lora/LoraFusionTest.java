package dev.diffarm.engine.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.lora.LoraModule.Component;
import dev.diffarm.engine.model.LayerIndex;
import dev.diffarm.engine.model.WeightedLayer;
import dev.diffarm.engine.nn.Conv2d;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.safetensors.SafetensorsWriter;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fusing and restoring on the tiny model: exact restores, the PEFT naming, convolutions, bad LoRAs. */
class LoraFusionTest {
    private static final String TO_Q = "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q";
    private static final String CONV = "down_blocks.0.resnets.0.conv1";
    private static StableDiffusion model;
    private static LoraWeights loraA;
    private static LoraWeights loraB;
    private static LoraTargets targets;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        model = StableDiffusion.load(Fixtures.sdTiny("model"), Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment());
        loraA = LoraWeights.read(Fixtures.sdTiny("lora-a.safetensors"));
        loraB = LoraWeights.read(Fixtures.sdTiny("lora-b.safetensors"));
        targets = LoraTargets.of(model);
    }

    @AfterAll
    static void close() {
        loraA.close();
        loraB.close();
        model.close();
    }

    @Test
    void thousandsOfSwitchesLeaveTheWeightsBitForBit() {
        Map<WeightedLayer, float[]> before = snapshot();
        BoundLora a = targets.bind(loraA);
        BoundLora b = targets.bind(loraB);
        int switches = 2000;
        for (int i = 0; i < switches / 2; i++) {
            try (FusedLoras fused = FusedLoras.fuse(List.of(new WeightedLora(a, 0.8)))) {
                assertTrue(fused.updatedLayers() > 0);
            }
            try (FusedLoras fused = FusedLoras.fuse(List.of(new WeightedLora(a, 0.5), new WeightedLora(b, 1.0)))) {
                assertTrue(fused.updatedLayers() > 0);
            }
        }
        before.forEach((layer, values) -> {
            assertSame(layer.originalWeight(), layer.weight(), "the layer computes with its loaded array again");
            assertArrayEquals(values, layer.weight().toFloatArray(), "weights after " + switches + " switches");
        });
        System.out.printf("%d LoRA switches: all %d layers bit-identical to the loaded weights%n", switches, before.size());
    }

    @Test
    void peftNamingFusesLikeKohyaNaming() throws IOException {
        BoundLora kohya = targets.bind(loraA);
        Path peft = dir.resolve("lora-a-peft.safetensors");
        SafetensorsWriter writer = new SafetensorsWriter();
        for (BoundLora.Patch patch : kohya.patches()) {
            String prefix = (patch.module().component() == Component.UNET ? "unet." : "text_encoder.") + patch.path();
            writer.add(prefix + ".lora_A.weight", patch.module().down())
                    .add(prefix + ".lora_B.weight", patch.module().up())
                    .add(prefix + ".alpha", new float[] {patch.module().alpha()});
        }
        writer.write(peft);
        try (LoraWeights read = LoraWeights.read(peft)) {
            BoundLora bound = targets.bind(read);
            assertEquals(List.of(), bound.unmatchedKeys());
            assertEquals(kohya.patches().size(), bound.patches().size());
            Map<String, float[]> kohyaWeights = fusedWeights(kohya, 0.8);
            Map<String, float[]> peftWeights = fusedWeights(bound, 0.8);
            assertEquals(kohyaWeights.keySet(), peftWeights.keySet());
            kohyaWeights.forEach((path, w) -> assertArrayEquals(w, peftWeights.get(path), path));
        }
    }

    @Test
    void alphaDefaultsToTheRank() throws IOException {
        Path file = dir.resolve("no-alpha.safetensors");
        float[] down = {1f, 0f, 2f, 0f};
        try (NDManager manager = NDManager.newBaseManager()) {
            long in = model.unetLayers().find(TO_Q).orElseThrow().originalWeight().getShape().get(1);
            long out = model.unetLayers().find(TO_Q).orElseThrow().originalWeight().getShape().get(0);
            NDArray downArray = manager.zeros(new Shape(1, in));
            downArray.set(new ai.djl.ndarray.index.NDIndex("0, 0:4"), manager.create(down));
            new SafetensorsWriter().add("unet." + TO_Q + ".lora_A.weight", downArray)
                    .add("unet." + TO_Q + ".lora_B.weight", manager.ones(new Shape(out, 1)))
                    .write(file);
        }
        try (LoraWeights read = LoraWeights.read(file)) {
            assertEquals(1f, read.modules().get(0).alpha(), "alpha = rank 1");
            WeightedLayer layer = model.unetLayers().find(TO_Q).orElseThrow();
            float[] original = layer.originalWeight().toFloatArray();
            try (FusedLoras fused = FusedLoras.fuse(List.of(new WeightedLora(targets.bind(read), 0.5)))) {
                float[] w = layer.weight().toFloatArray();
                int in = (int) layer.originalWeight().getShape().get(1);
                // every row gains 0.5 * down: scale weight * alpha / rank = 0.5
                assertEquals(original[2] + 0.5f * 2f, w[2]);
                assertEquals(original[in + 2] + 0.5f * 2f, w[in + 2]);
                assertEquals(original[1], w[1]);
            }
        }
    }

    @Test
    void convolutionLoraIsFusedIntoTheKernelAndRepacked() {
        Conv2d conv = (Conv2d) model.unetLayers().find(CONV).orElseThrow();
        Shape kernel = conv.originalWeight().getShape();
        long rank = 3;
        try (NDManager manager = NDManager.newBaseManager()) {
            manager.getEngine().setRandomSeed(7);
            NDArray down = manager.randomNormal(0f, 0.1f, new Shape(rank, kernel.get(1), kernel.get(2), kernel.get(3)),
                    ai.djl.ndarray.types.DataType.FLOAT32);
            NDArray up = manager.randomNormal(0f, 0.1f, new Shape(kernel.get(0), rank, 1, 1),
                    ai.djl.ndarray.types.DataType.FLOAT32);
            LoraModule module = new LoraModule(Component.UNET, CONV.replace('.', '_'),
                    List.of("lora_unet_" + CONV.replace('.', '_') + ".lora_down.weight"), down, up, 1.5f);
            LoraWeights lora = new LoraWeights("conv", manager.newSubManager(), List.of(module), List.of());
            NDArray x = manager.randomNormal(new Shape(1, kernel.get(1), 8, 8));
            float[] plain = conv.forward(x).toFloatArray();
            double weight = 0.7;
            try (FusedLoras fused = FusedLoras.fuse(List.of(new WeightedLora(targets.bind(lora), weight)))) {
                float[] expected = expectedConvKernel(conv.originalWeight(), down, up, weight * 1.5 / rank);
                Parity.assertClose("3x3 conv LoRA kernel", expected, conv.weight().toFloatArray(), 1e-6);
                NDArray delta = manager.create(expected, kernel).sub(conv.originalWeight());
                float[] deltaOut = x.getNDArrayInternal().convolution(x, delta, null, new Shape(1, 1), new Shape(1, 1),
                        new Shape(1, 1), 1).singletonOrThrow().toFloatArray();
                float[] fusedOut = conv.forward(x).toFloatArray();
                float[] difference = new float[plain.length];
                for (int i = 0; i < plain.length; i++) {
                    difference[i] = fusedOut[i] - plain[i];
                }
                Parity.assertClose("fused conv output minus plain output = conv with the update", deltaOut, difference, 1e-4);
            }
            assertArrayEquals(plain, conv.forward(x).toFloatArray(), "the convolution computes as before");
        }
    }

    @Test
    void weightZeroLeavesTheModelAsItIs() {
        try (FusedLoras fused = FusedLoras.fuse(List.of(new WeightedLora(targets.bind(loraA), 0)))) {
            assertEquals(0, fused.updatedLayers());
        }
    }

    @Test
    void loraForAnotherModelFailsNamingTheLayer() {
        try (NDManager manager = NDManager.newBaseManager()) {
            long out = model.unetLayers().find(TO_Q).orElseThrow().originalWeight().getShape().get(0);
            LoraModule module = new LoraModule(Component.UNET, TO_Q, List.of("unet." + TO_Q + ".lora_A.weight"),
                    manager.zeros(new Shape(4, 768)), manager.zeros(new Shape(out, 4)), 4f);
            LoraWeights lora = new LoraWeights("sd2-lora", manager.newSubManager(), List.of(module), List.of());
            LoraException e = assertThrows(LoraException.class, () -> targets.bind(lora));
            assertEquals("LoRA sd2-lora: module unet." + TO_Q + ".lora_A.weight updates a " + out + " x 768 weight, but layer "
                    + TO_Q + " has weight (" + out + ", " + out + ") (a LoRA for another base model?)", e.getMessage());
        }
    }

    /** {@code W + scale · (up · down)} in double, flattened as the kernel [out, in, kh, kw]. */
    private static float[] expectedConvKernel(NDArray original, NDArray down, NDArray up, double scale) {
        float[] w = original.toFloatArray();
        float[] d = down.toFloatArray();
        float[] u = up.toFloatArray();
        int rank = (int) down.getShape().get(0);
        int per = d.length / rank;
        int out = u.length / rank;
        float[] result = new float[w.length];
        for (int o = 0; o < out; o++) {
            for (int j = 0; j < per; j++) {
                double sum = 0;
                for (int r = 0; r < rank; r++) {
                    sum += (double) u[o * rank + r] * d[r * per + j];
                }
                result[o * per + j] = (float) (w[o * per + j] + scale * sum);
            }
        }
        return result;
    }

    private static Map<String, float[]> fusedWeights(BoundLora lora, double weight) {
        Map<String, float[]> weights = new LinkedHashMap<>();
        try (FusedLoras fused = FusedLoras.fuse(List.of(new WeightedLora(lora, weight)))) {
            for (BoundLora.Patch patch : lora.patches()) {
                weights.put(patch.module().component() + " " + patch.path(), patch.layer().weight().toFloatArray());
            }
        }
        return weights;
    }

    private static Map<WeightedLayer, float[]> snapshot() {
        Map<WeightedLayer, float[]> values = new LinkedHashMap<>();
        for (LayerIndex index : List.of(model.unetLayers(), model.textEncoderLayers())) {
            for (String path : index.paths()) {
                WeightedLayer layer = index.find(path).orElseThrow();
                values.put(layer, layer.weight().toFloatArray());
            }
        }
        return values;
    }
}
