package dev.diffarm.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.diffarm.engine.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFilesTest {
    @TempDir
    Path tmp;

    @Test
    void aDiffusersFolderGivesItsConfigsSchedulerAndTokenizer() {
        Path folder = Fixtures.sdTiny("model");
        try (ModelFiles model = ModelFiles.open(folder, Optional.empty())) {
            assertEquals(ModelFiles.Format.DIFFUSERS_FOLDER, model.format());
            assertEquals(UNetConfig.fromJson(folder.resolve("unet/config.json")), model.unet().config());
            assertEquals(VaeConfig.fromJson(folder.resolve("vae/config.json")), model.vae().config());
            assertEquals(TextEncoderConfig.fromJson(folder.resolve("text_encoder/config.json")), model.textEncoder().config());
            assertEquals(Optional.of(folder.resolve("scheduler/scheduler_config.json")), model.schedulerConfig());
            assertEquals(Optional.of(folder.resolve("tokenizer")), model.tokenizerDir());
            assertTrue(model.unet().tensors().keys().contains("down_blocks.0.attentions.0.proj_in.weight"));
        }
    }

    @Test
    void aSingleFileTakesConfigsSchedulerAndTokenizerFromTheConfigFolder() {
        Path folder = Fixtures.sdTiny("model");
        try (ModelFiles alone = ModelFiles.open(Fixtures.sdTiny("model.safetensors"), Optional.empty());
             ModelFiles withConfig = ModelFiles.open(Fixtures.sdTiny("model.safetensors"), Optional.of(folder))) {
            assertEquals(Optional.empty(), alone.schedulerConfig());
            assertEquals(Optional.empty(), alone.tokenizerDir());
            assertEquals(List.of(8, 8), alone.unet().config().attentionHeads());
            assertEquals(UNetConfig.fromJson(folder.resolve("unet/config.json")), withConfig.unet().config());
            assertEquals(TextEncoderConfig.fromJson(folder.resolve("text_encoder/config.json")), withConfig.textEncoder().config());
            assertEquals(Optional.of(folder.resolve("scheduler/scheduler_config.json")), withConfig.schedulerConfig());
            assertEquals(Optional.of(folder.resolve("tokenizer")), withConfig.tokenizerDir());
            assertFalse(alone.textEncoder().tensors().keys().contains(CompVisKeyMap.CLIP_POSITION_IDS),
                    "position_ids is a buffer, not a weight");
        }
    }

    @Test
    void aWalkThatTakesEveryKeyFinishesAndOneThatMissesAKeyNamesIt() {
        try (ModelFiles model = ModelFiles.open(Fixtures.sdTiny("model-fp16.safetensors"), Optional.empty());
             NDManager manager = NDManager.newBaseManager()) {
            TensorSource vae = model.vae().tensors();
            Weights all = new Weights(vae, manager);
            vae.keys().forEach(all::take);
            all.finish();

            List<String> keys = new ArrayList<>(vae.keys());
            String skipped = "decoder.mid_block.attentions.0.to_v.weight";
            assertTrue(keys.remove(skipped));
            Weights partial = new Weights(vae, manager);
            keys.forEach(partial::take);
            ModelLoadException unused = assertThrows(ModelLoadException.class, partial::finish);
            assertEquals(vae.describe() + ": 1 tensors match no layer of the model, e.g. " + skipped, unused.getMessage());

            ModelLoadException missing = assertThrows(ModelLoadException.class,
                    () -> new Weights(vae, manager).at("decoder.up_blocks", 2).take("upsamplers.0.conv.weight"));
            assertEquals(vae.describe() + ": missing tensor 'decoder.up_blocks.2.upsamplers.0.conv.weight'", missing.getMessage());
        }
    }

    @Test
    void aCheckpointWithTensorsTheConfigHasNoPlaceForIsRefusedNamingThem() throws IOException {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("model.diffusion_model.input_blocks.0.0.weight", new long[] {32, 4, 3, 3});
        shapes.put("model.diffusion_model.input_blocks.7.0.in_layers.0.weight", new long[] {32});
        shapes.put("first_stage_model.encoder.conv_in.weight", new long[] {32, 3, 3, 3});
        shapes.put("cond_stage_model.transformer.text_model.embeddings.token_embedding.weight", new long[] {803, 32});
        Path checkpoint = FakeCheckpoint.write(tmp.resolve("deeper.safetensors"), shapes);
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> ModelFiles.open(checkpoint, Optional.of(Fixtures.sdTiny("model"))));
        assertEquals(checkpoint + " (tensors model.diffusion_model.*): 1 tensors have no place in a UNet with "
                + "block_out_channels [32, 64], layers_per_block 2, down blocks [CrossAttnDownBlock2D, DownBlock2D], "
                + "up blocks [UpBlock2D, CrossAttnUpBlock2D], e.g. model.diffusion_model.input_blocks.7.0.in_layers.0.weight "
                + "(wrong config for this checkpoint?)", e.getMessage());
    }

    @Test
    void picklesAreRefusedWithAdviceToConvert() throws IOException {
        Path ckpt = Files.write(tmp.resolve("v1-5-pruned.ckpt"), new byte[] {(byte) 0x80, 2});
        assertEquals(ckpt + " is a PyTorch pickle, which can run code when read and which diffarm does not load; "
                + "convert it to .safetensors first", message(ckpt));

        Path folder = Files.createDirectories(tmp.resolve("old-diffusers"));
        Files.copy(Fixtures.sdTiny("model/model_index.json"), folder.resolve("model_index.json"));
        Files.createDirectories(folder.resolve("unet"));
        Path bin = Files.write(folder.resolve("unet/diffusion_pytorch_model.bin"), new byte[] {(byte) 0x80, 2});
        assertTrue(message(folder).startsWith(bin + " is a PyTorch pickle"));
    }

    @Test
    void otherPathsAreRefusedNamingThePathAndWhatWasExpected() throws IOException {
        String expected = "expected a diffusers folder (with model_index.json) or a .safetensors single-file checkpoint";
        Path absent = tmp.resolve("absent.safetensors");
        assertEquals("model " + absent + " does not exist; " + expected, message(absent));
        Path text = Files.writeString(tmp.resolve("notes.txt"), "hello");
        assertEquals("model " + text + " is neither a folder nor a .safetensors file; " + expected, message(text));
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals("model folder " + empty + " has no model_index.json; " + expected, message(empty));
        Path noVae = Files.createDirectories(tmp.resolve("no-vae"));
        Files.copy(Fixtures.sdTiny("model/model_index.json"), noVae.resolve("model_index.json"));
        Files.createDirectories(noVae.resolve("unet"));
        Files.copy(Fixtures.sdTiny("model/unet/diffusion_pytorch_model.safetensors"),
                noVae.resolve("unet/diffusion_pytorch_model.safetensors"));
        assertEquals("model folder " + noVae + " has no vae/diffusion_pytorch_model.safetensors; expected a diffusers "
                + "folder with unet/, vae/ and text_encoder/ weights in safetensors", message(noVae));
        Path truncated = Files.write(tmp.resolve("truncated.safetensors"), new byte[] {1, 2, 3});
        assertTrue(message(truncated).startsWith(truncated + ": not a safetensors file"), message(truncated));
    }

    @Test
    void anSdxlFolderIsRefused() throws IOException {
        Path folder = Files.createDirectories(tmp.resolve("sdxl"));
        Files.writeString(folder.resolve("model_index.json"),
                "{\"_class_name\": \"StableDiffusionXLPipeline\", \"text_encoder_2\": [\"transformers\", \"CLIPTextModelWithProjection\"]}");
        assertEquals("model folder " + folder + " is an SDXL pipeline (StableDiffusionXLPipeline); diffarm loads "
                + "Stable Diffusion 1.x models", message(folder));
    }

    private static String message(Path model) {
        String message = assertThrows(ModelLoadException.class, () -> ModelFiles.open(model, Optional.empty())).getMessage();
        System.out.println("refused: " + message);
        return message;
    }
}
