package dev.diffarm.engine.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.model.LayerIndex;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * diffusers' {@code load_lora_weights} + {@code set_adapters} (+ {@code fuse_lora}) with the two kohya LoRAs of the
 * fixtures, case {@code a0.8} (lora-a at 0.8) and {@code a0.5_b1.0} (lora-a at 0.5 with lora-b at 1.0): the fused
 * weights, the text encoder's outputs and the UNet's, then the model's own weights back bit for bit.
 */
class LoraParityTest {
    private static final String RUN_PROMPT = "a painting of a cat in the snow";
    private static final String RUN_NEGATIVE = "ugly, blurry";
    private static StableDiffusion model;
    private static LoraWeights loraA;
    private static LoraWeights loraB;

    @BeforeAll
    static void load() {
        model = StableDiffusion.load(Fixtures.sdTiny("model"), Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment());
        loraA = LoraWeights.read(Fixtures.sdTiny("lora-a.safetensors"));
        loraB = LoraWeights.read(Fixtures.sdTiny("lora-b.safetensors"));
    }

    @AfterAll
    static void close() {
        loraA.close();
        loraB.close();
        model.close();
    }

    @ParameterizedTest
    @CsvSource({"a0.8, 0.8, 0", "a0.5_b1.0, 0.5, 1.0"})
    void reproducesDiffusersWithTheLorasActive(String tag, double weightA, double weightB) {
        LoraTargets targets = LoraTargets.of(model);
        BoundLora a = targets.bind(loraA);
        BoundLora b = targets.bind(loraB);
        assertEquals(List.of(), a.unmatchedKeys(), "every key of lora-a names a layer");
        assertEquals(List.of(), b.unmatchedKeys(), "every key of lora-b names a layer");
        assertEquals(68, a.patches().size(), "lora-a: 48 UNet + 20 text encoder layers");
        assertEquals(64, b.patches().size(), "lora-b: 48 UNet + 16 text encoder layers");

        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("lora-reference.safetensors"));
             SafetensorsFile unetVae = SafetensorsFile.open(Fixtures.sdTiny("unet-vae.safetensors"));
             SafetensorsFile text = SafetensorsFile.open(Fixtures.sdTiny("text.safetensors"));
             NDManager manager = NDManager.newBaseManager()) {
            float[] baseUnetOut = unetOut(unetVae, manager, 500);
            try (FusedLoras fused = FusedLoras.fuse(List.of(new WeightedLora(a, weightA), new WeightedLora(b, weightB)))) {
                assertEquals(weightB == 0 ? 68 : 68 + 24 + 10, fused.updatedLayers(),
                        "layers updated (lora-b adds 12 ff and 12 proj_in/out UNet layers, 10 text fc1/fc2 layers)");
                checkWeights(reference, tag, "unet", model.unetLayers(), "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q");
                checkWeights(reference, tag, "unet", model.unetLayers(), "down_blocks.0.attentions.0.proj_in");
                checkWeights(reference, tag, "te", model.textEncoderLayers(), "text_model.encoder.layers.0.self_attn.q_proj");

                Parity.assertClose(tag + " cond", reference.floats(tag + ".cond"), encode(manager, RUN_PROMPT), 1e-4);
                Parity.assertClose(tag + " uncond", reference.floats(tag + ".uncond"), encode(manager, RUN_NEGATIVE), 1e-4);
                for (int n = 0; n < 4; n++) {
                    long[] ids = text.longs("prompt" + n + ".ids");
                    float[] hidden = model.textModel().encode(manager.create(ids).reshape(1, -1), 1).toFloatArray();
                    Parity.assertClose(tag + " prompt" + n + " hidden", reference.floats(tag + ".prompt" + n + ".hidden"),
                            hidden, 1e-4);
                }
                for (int t : new int[] {999, 500, 1}) {
                    Parity.assertClose(tag + " unet t=" + t, reference.floats(tag + ".unet_out_t" + t),
                            unetOut(unetVae, manager, t), 1e-4);
                }
                Parity.assertClose(tag + " fused unet t=500", reference.floats(tag + ".fused_unet_out_t500"),
                        unetOut(unetVae, manager, 500), 1e-4);
            }
            assertArrayEquals(baseUnetOut, unetOut(unetVae, manager, 500), "the UNet computes as before the LoRAs");
            Parity.assertClose("base unet t=500 after restore", unetVae.floats("unet.out_t500"), baseUnetOut, 1e-4);
        }
    }

    private static void checkWeights(SafetensorsFile reference, String tag, String component, LayerIndex layers, String path) {
        NDArray original = layers.find(path).orElseThrow().originalWeight();
        String key = component + "." + path + ".weight";
        assertArrayEquals(reference.info(tag + ".original." + key).shape(), original.getShape().getShape(), key);
        // The reference took a0.5_b1.0's originals after unfusing a0.8 by subtraction, which drifts in the last bits:
        // the reason diffarm restores the loaded array instead.
        Parity.assertClose(tag + " original " + key, reference.floats(tag + ".original." + key), original.toFloatArray(), 1e-6);
        Parity.assertClose(tag + " fused " + key, reference.floats(tag + ".fused." + key), currentWeight(layers, path), 1e-5);
    }

    private static float[] currentWeight(LayerIndex layers, String path) {
        return layers.find(path).orElseThrow().weight().toFloatArray();
    }

    private static float[] encode(NDManager manager, String prompt) {
        long[] ids = Arrays.stream(model.tokenizer().encodeTruncated(prompt)).asLongStream().toArray();
        return model.textModel().encode(manager.create(ids).reshape(1, -1), 1).toFloatArray();
    }

    private static float[] unetOut(SafetensorsFile unetVae, NDManager manager, int t) {
        NDArray latent = unetVae.load("unet.latent", manager);
        NDArray context = unetVae.load("unet.context", manager);
        return model.unet().forward(latent, t, context).toFloatArray();
    }
}
