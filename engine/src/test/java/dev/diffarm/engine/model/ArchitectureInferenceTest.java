package dev.diffarm.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ArchitectureInferenceTest {
    @TempDir
    Path tmp;

    /**
     * Everything but the heads comes out as the folder's configs say. The heads do not show in any shape: SD 1.x
     * has 8 per UNet level and CLIP heads of width 64, the tiny model 4 per UNet level and 4 CLIP heads of width 8
     * (its CLIP width 32 is no multiple of 64, so the rule gives one head).
     */
    @ParameterizedTest
    @ValueSource(strings = {"model.safetensors", "model-fp16.safetensors"})
    void inferredConfigsEqualTheFolderConfigsExceptForHeads(String checkpoint) {
        try (SafetensorsFile file = SafetensorsFile.open(Fixtures.sdTiny(checkpoint))) {
            ArchitectureInference.requireStableDiffusion1(file);
            UNetConfig unet = ArchitectureInference.unet(file);
            UNetConfig expectedUnet = UNetConfig.fromJson(Fixtures.sdTiny("model/unet/config.json"));
            assertEquals(List.of(8, 8), unet.attentionHeads());
            assertEquals(List.of(4, 4), expectedUnet.attentionHeads());
            assertEquals(expectedUnet, withHeads(unet, expectedUnet.attentionHeads()));

            assertEquals(VaeConfig.fromJson(Fixtures.sdTiny("model/vae/config.json")), ArchitectureInference.vae(file));

            TextEncoderConfig text = ArchitectureInference.textEncoder(file);
            TextEncoderConfig expectedText = TextEncoderConfig.fromJson(Fixtures.sdTiny("model/text_encoder/config.json"));
            assertEquals(1, text.heads());
            assertEquals(4, expectedText.heads());
            assertEquals(expectedText, withHeads(text, expectedText.heads()));
        }
    }

    @Test
    void sdxlIsRefusedByName() throws IOException {
        Path sdxl = fake("sdxl.safetensors",
                "conditioner.embedders.0.transformer.text_model.embeddings.token_embedding.weight",
                "conditioner.embedders.1.model.token_embedding",
                "model.diffusion_model.input_blocks.0.0.weight",
                "first_stage_model.encoder.conv_in.weight");
        String message = refusal(sdxl);
        assertTrue(message.startsWith(sdxl + " is an SDXL checkpoint (text encoders under conditioner.embedders.*)"), message);
        assertTrue(message.contains("Stable Diffusion 1.x"), message);
    }

    @Test
    void sd2IsRefusedByName() throws IOException {
        Path sd2 = fake("sd2.safetensors",
                "cond_stage_model.model.transformer.resblocks.0.attn.in_proj_weight",
                "model.diffusion_model.input_blocks.0.0.weight",
                "first_stage_model.encoder.conv_in.weight");
        assertTrue(refusal(sd2).startsWith(sd2 + " is an SD 2.x checkpoint (OpenCLIP text encoder under cond_stage_model.model.*)"));
    }

    @Test
    void aFileThatIsNoDiffusionModelIsRefusedSayingWhatItHolds() throws IOException {
        Path bert = fake("bert.safetensors", "bert.embeddings.word_embeddings.weight", "bert.pooler.dense.weight");
        String message = refusal(bert);
        assertEquals(bert + " is not a Stable Diffusion 1.x checkpoint: it has no model.diffusion_model.input_blocks.0.0.weight, "
                + "first_stage_model.encoder.conv_in.weight, cond_stage_model.transformer.text_model.embeddings.token_embedding.weight; "
                + "it holds 2 tensors, e.g. bert.embeddings.word_embeddings.weight, bert.pooler.dense.weight. diffarm loads "
                + "Stable Diffusion 1.x checkpoints: UNet model.diffusion_model.*, VAE first_stage_model.*, CLIP text encoder "
                + "cond_stage_model.transformer.*", message);
    }

    /** The refusal from the inference and from opening the model, which must be the same one message. */
    private static String refusal(Path checkpoint) {
        ModelLoadException direct;
        try (SafetensorsFile file = SafetensorsFile.open(checkpoint)) {
            direct = assertThrows(ModelLoadException.class, () -> ArchitectureInference.requireStableDiffusion1(file));
        }
        ModelLoadException opening = assertThrows(ModelLoadException.class, () -> ModelFiles.open(checkpoint, Optional.empty()));
        assertEquals(direct.getMessage(), opening.getMessage());
        ModelLoadException withConfig = assertThrows(ModelLoadException.class,
                () -> ModelFiles.open(checkpoint, Optional.of(Fixtures.sdTiny("model"))));
        assertEquals(direct.getMessage(), withConfig.getMessage());
        System.out.println("refused: " + direct.getMessage());
        return direct.getMessage();
    }

    private Path fake(String name, String... keys) throws IOException {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (String key : keys) {
            shapes.put(key, new long[] {2, 2});
        }
        return FakeCheckpoint.write(tmp.resolve(name), shapes);
    }

    private static UNetConfig withHeads(UNetConfig c, List<Integer> heads) {
        return new UNetConfig(c.inChannels(), c.outChannels(), c.blockOutChannels(), c.downBlockTypes(), c.upBlockTypes(),
                c.layersPerBlock(), heads, c.crossAttentionDim(), c.normGroups(), c.normEps(), c.flipSinToCos(),
                c.freqShift(), c.numClassEmbeds(), c.useLinearProjection());
    }

    private static TextEncoderConfig withHeads(TextEncoderConfig c, int heads) {
        return new TextEncoderConfig(c.vocabSize(), c.hiddenSize(), c.layers(), heads, c.intermediate(), c.positions(),
                c.layerNormEps(), c.quickGelu());
    }
}
