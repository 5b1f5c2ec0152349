package dev.diffarm.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.diffarm.api.finetune.MethodOptions;
import dev.diffarm.api.finetune.Training;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.lora.ActiveLoras;
import dev.diffarm.engine.lora.LoraRequest;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.random.TorchGenerator;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.schedule.TrainingSchedule;
import dev.diffarm.engine.testing.Fixtures;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LoRA on the text encoder as kohya trains it: by default beside the UNet's, in its own learning-rate group, saved as
 * {@code lora_te_} modules that the render path loads back to the very text encoding the training saw.
 */
class TextEncoderLoraTest {
    private static final List<String> CAPTIONS = List.of("zwx person", "zwx person in the park");
    private static StableDiffusion model;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        model = StableDiffusion.load(Fixtures.sdTiny("model"), Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** Trains {@code steps} steps of the lora plugin with {@code options}, then calls {@code after} with the run. */
    private void train(Map<String, String> options, int steps, java.util.function.BiConsumer<Training, HostModel> after) {
        TrainingSettings settings = new TrainingSettings(1e-2, LrSchedule.CONSTANT, 0, steps, 2, 1, 1.0, 11, false,
                NoiseObjective.Prediction.EPSILON, OptionalDouble.empty(), 0);
        try (NDManager manager = NDManager.newBaseManager()) {
            Draws draws = Draws.of(new TorchGenerator(11));
            CachedExamples examples = CachedExamples.encode(model, "train-data",
                    CaptionedImages.read(Fixtures.sdTiny("train-data")), false, draws, manager);
            NoiseObjective objective = new NoiseObjective(NoiseObjective.Prediction.EPSILON, OptionalDouble.empty(),
                    TrainingSchedule.of(model.schedulerConfig("DDPMScheduler", Map.of())).alphasCumprod());
            HostModel host = new HostModel(model, new TorchGenerator(12), manager);
            Map<String, String> all = new HashMap<>(Map.of("network-dim", "4", "network-alpha", "2"));
            all.putAll(options);
            try (Training lora = LoraRunParityTest.lora().start(host, new MethodOptions(all), manager);
                 FineTuneLoop loop = new FineTuneLoop(lora, examples, false, settings, objective, draws, 1000, manager)) {
                while (!loop.finished()) {
                    loop.step();
                }
                after.accept(lora, host);
            }
        }
    }

    /**
     * kohya's default trains the text encoder's q/k/v/out/fc1/fc2 beside the UNet; the file carries them as
     * {@code lora_te_text_model_encoder_layers_N_*}, and the render path, loading the file, encodes a prompt exactly as
     * the training did with the LoRA attached.
     */
    @Test
    void trainsTheTextEncoderAndTheRenderPathEncodesAsTheTrainingDid() {
        Path file = dir.resolve("te.safetensors");
        train(Map.of("text-encoder-lr", "5e-3"), 3, (lora, host) -> {
            long text = lora.parameters().keySet().stream().filter(n -> n.startsWith("text_model.")).count();
            assertEquals(5 * 6 * 2, text, "5 text-encoder layers x q, k, v, out, fc1, fc2 x A, B");
            assertEquals(6 * 10 * 2, lora.parameters().size() - text, "the UNet's modules");
            try {
                lora.save(file, Map.of("ss_output_name", "te"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            float[] base;
            float[] trained;
            try (NDScope scope = new NDScope()) {
                base = host.encode(CAPTIONS).toFloatArray();
                lora.beforeStep();
                trained = host.encode(CAPTIONS).toFloatArray();
                lora.afterStep();
            }
            float[] rendered;
            try (ActiveLoras active = ActiveLoras.activate(model, List.of(new LoraRequest("te", file, 1.0)));
                 NDScope scope = new NDScope()) {
                assertTrue(active.warnings().isEmpty(), active.warnings().toString());
                rendered = host.encode(CAPTIONS).toFloatArray();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            double moved = maxAbs(base, trained);
            double error = maxAbs(trained, rendered);
            double scale = maxAbs(rendered, new float[rendered.length]);
            // the render path fuses W + (alpha/r)·up·down into one float32 weight, the training adds the branch: the two
            // round differently, by a few float32 ulps of the encoding's largest values
            System.out.printf("text-encoder LoRA: the trained LoRA moves the encoding by up to %.4g; the render path's "
                    + "encoding (LoRA fused from the file) vs the training's (unmerged): max abs error %.3g, %.3g "
                    + "relative to the encoding's largest value %.3g%n", moved, error, error / scale, scale);
            assertTrue(moved > 1e-3, "three steps at lr 5e-3 change the text encoding: " + moved);
            assertTrue(error <= 1e-6 * scale, "render path vs training encoding: " + error);
        });
        try (SafetensorsFile saved = SafetensorsFile.open(file)) {
            TreeSet<String> stems = new TreeSet<>();
            saved.names().forEach(k -> stems.add(k.substring(0, k.indexOf('.'))));
            for (int layer = 0; layer < 5; layer++) {
                for (String module : List.of("self_attn_q_proj", "self_attn_k_proj", "self_attn_v_proj",
                        "self_attn_out_proj", "mlp_fc1", "mlp_fc2")) {
                    String stem = "lora_te_text_model_encoder_layers_" + layer + "_" + module;
                    assertTrue(stems.contains(stem), stem + " in " + stems);
                    assertEquals(1, saved.info(stem + ".alpha").shape().length == 0 ? 1 : 0, stem + ".alpha is a scalar");
                }
            }
            assertEquals(90, stems.size(), "30 text-encoder and 60 UNet modules");
            assertEquals("networks.lora", saved.metadata().get("ss_network_module"));
            assertEquals("0.005", saved.metadata().get("ss_text_encoder_lr"));
            assertEquals("None", saved.metadata().get("ss_unet_lr"), "kohya writes an unset rate as None");
            assertEquals("False", saved.metadata().get("ss_network_train_unet_only"));
        }
    }

    /** Each group learns at its own rate: a text encoder at 1e-9 barely moves while the UNet at 1e-2 does. */
    @Test
    void eachPartLearnsAtItsOwnRate() {
        train(Map.of("text-encoder-lr", "1e-9", "unet-lr", "1e-2"), 2, (lora, host) -> {
            double text = 0;
            double unet = 0;
            for (Map.Entry<String, NDArray> e : lora.parameters().entrySet()) {
                if (!e.getKey().endsWith(".up")) {
                    continue; // B starts at 0: its distance from 0 is how far it moved
                }
                double moved = e.getValue().abs().max().getFloat();
                if (e.getKey().startsWith("text_model.")) {
                    text = Math.max(text, moved);
                } else {
                    unet = Math.max(unet, moved);
                }
            }
            System.out.printf("groups: text encoder (lr 1e-9) moved B by up to %.3g, UNet (lr 1e-2) by %.3g%n", text, unet);
            assertTrue(text <= 3e-9, "text encoder's B: " + text);
            assertTrue(unet >= 1e-3, "UNet's B: " + unet);
        });
    }

    /** {@code network-train-unet-only} and {@code network-train-text-encoder-only} place modules on one part alone. */
    @Test
    void trainsOnePartAloneWhenAsked() {
        Path unetOnly = dir.resolve("unet.safetensors");
        Path textOnly = dir.resolve("text.safetensors");
        train(Map.of("network-train-unet-only", "true"), 1, (lora, host) -> save(lora, unetOnly));
        train(Map.of("network-train-text-encoder-only", "true"), 1, (lora, host) -> save(lora, textOnly));
        try (SafetensorsFile unet = SafetensorsFile.open(unetOnly); SafetensorsFile text = SafetensorsFile.open(textOnly)) {
            assertTrue(unet.names().stream().allMatch(k -> k.startsWith("lora_unet_")), "UNet only");
            assertEquals("True", unet.metadata().get("ss_network_train_unet_only"));
            assertTrue(text.names().stream().allMatch(k -> k.startsWith("lora_te_")), "text encoder only");
            assertEquals(90, text.names().size(), "30 modules x down, up, alpha");
        }
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> train(
                Map.of("network-train-unet-only", "true", "network-train-text-encoder-only", "true"), 1, (l, h) -> { }));
        assertTrue(both.getMessage().startsWith("--network-train-unet-only:"), both.getMessage());
        IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class, () -> train(Map.of(
                "network-weights", textOnly.toString(), "network-train-unet-only", "true"), 1, (l, h) -> { }));
        assertTrue(mismatch.getMessage().startsWith("--network-weights:"), mismatch.getMessage());
        IllegalArgumentException rate = assertThrows(IllegalArgumentException.class, () -> train(
                Map.of("text-encoder-lr", "-1"), 1, (l, h) -> { }));
        assertTrue(rate.getMessage().startsWith("--text-encoder-lr:"), rate.getMessage());
    }

    /** A file with text-encoder modules starts a run that trains them (kohya's --network_weights). */
    @Test
    void startsFromAFileWithTextEncoderModules() {
        train(Map.of("network-weights", Fixtures.sdTiny("lora-a.safetensors").toString()), 1, (lora, host) -> {
            Map<String, NDArray> text = new LinkedHashMap<>();
            lora.parameters().forEach((k, v) -> {
                if (k.startsWith("text_model.")) {
                    text.put(k, v);
                }
            });
            assertEquals(5 * 4 * 2, text.size(), "lora-a: every text q/k/v/out_proj, A and B");
        });
    }

    private static void save(Training lora, Path file) {
        try {
            lora.save(file, Map.of());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static double maxAbs(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }
}
