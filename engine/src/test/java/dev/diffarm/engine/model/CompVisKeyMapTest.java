package dev.diffarm.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The key table on SD 1.5's 4-level layout (the fixtures only have 2 levels): names known from SD 1.5 checkpoints
 * and their diffusers conversions.
 */
class CompVisKeyMapTest {
    private static final UNetConfig SD15_UNET = new UNetConfig(4, 4, List.of(320, 640, 1280, 1280),
            List.of("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
            List.of("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
            2, List.of(8, 8, 8, 8), 768, 32, 1e-5, true, 0, 0, false);
    private static final VaeConfig SD15_VAE = new VaeConfig(3, 3, 4, List.of(128, 256, 512, 512), 2, 32, 0.18215);

    @Test
    void sd15UNetNamesMapAcrossAllFourLevels() {
        KeyMap map = CompVisKeyMap.unet(SD15_UNET);
        assertMaps(map, "input_blocks.0.0.weight", "conv_in.weight");
        assertMaps(map, "time_embed.2.bias", "time_embedding.linear_2.bias");
        assertMaps(map, "input_blocks.1.0.in_layers.0.weight", "down_blocks.0.resnets.0.norm1.weight");
        assertMaps(map, "input_blocks.2.1.transformer_blocks.0.attn1.to_q.weight",
                "down_blocks.0.attentions.1.transformer_blocks.0.attn1.to_q.weight");
        assertMaps(map, "input_blocks.3.0.op.weight", "down_blocks.0.downsamplers.0.conv.weight");
        assertMaps(map, "input_blocks.4.0.skip_connection.bias", "down_blocks.1.resnets.0.conv_shortcut.bias");
        assertMaps(map, "input_blocks.9.0.op.bias", "down_blocks.2.downsamplers.0.conv.bias");
        assertMaps(map, "input_blocks.11.0.emb_layers.1.weight", "down_blocks.3.resnets.1.time_emb_proj.weight");
        assertMaps(map, "middle_block.1.proj_in.weight", "mid_block.attentions.0.proj_in.weight");
        assertMaps(map, "middle_block.2.out_layers.3.weight", "mid_block.resnets.1.conv2.weight");
        assertMaps(map, "output_blocks.2.1.conv.weight", "up_blocks.0.upsamplers.0.conv.weight");
        assertMaps(map, "output_blocks.3.1.norm.weight", "up_blocks.1.attentions.0.norm.weight");
        assertMaps(map, "output_blocks.5.2.conv.bias", "up_blocks.1.upsamplers.0.conv.bias");
        assertMaps(map, "output_blocks.8.2.conv.weight", "up_blocks.2.upsamplers.0.conv.weight");
        assertMaps(map, "output_blocks.11.1.transformer_blocks.0.ff.net.0.proj.weight",
                "up_blocks.3.attentions.2.transformer_blocks.0.ff.net.0.proj.weight");
        assertMaps(map, "out.0.weight", "conv_norm_out.weight");
        assertMaps(map, "out.2.bias", "conv_out.bias");
        // The last level has no downsampler and no attention; the last up level has no upsampler.
        for (String foreign : List.of("input_blocks.12.0.op.weight", "input_blocks.10.1.norm.weight",
                "output_blocks.11.2.conv.weight", "output_blocks.0.1.norm.weight", "input_blocks.1.0.in_layers.0.foo.weight")) {
            assertEquals(Optional.empty(), map.target(foreign), foreign);
        }
    }

    @Test
    void sd15VaeDecoderLevelsRunInReverse() {
        KeyMap map = CompVisKeyMap.vae(SD15_VAE);
        assertMaps(map, "encoder.down.3.block.1.conv2.weight", "encoder.down_blocks.3.resnets.1.conv2.weight");
        assertMaps(map, "encoder.down.2.downsample.conv.weight", "encoder.down_blocks.2.downsamplers.0.conv.weight");
        assertMaps(map, "encoder.down.1.block.0.nin_shortcut.weight", "encoder.down_blocks.1.resnets.0.conv_shortcut.weight");
        assertMaps(map, "decoder.up.3.block.0.conv1.weight", "decoder.up_blocks.0.resnets.0.conv1.weight");
        assertMaps(map, "decoder.up.0.block.2.norm1.bias", "decoder.up_blocks.3.resnets.2.norm1.bias");
        assertMaps(map, "decoder.up.1.upsample.conv.weight", "decoder.up_blocks.2.upsamplers.0.conv.weight");
        assertMaps(map, "decoder.mid.block_2.norm2.weight", "decoder.mid_block.resnets.1.norm2.weight");
        assertMaps(map, "decoder.norm_out.bias", "decoder.conv_norm_out.bias");
        assertMaps(map, "post_quant_conv.weight", "post_quant_conv.weight");
        assertEquals(Optional.empty(), map.target("decoder.up.0.upsample.conv.weight"));
        assertEquals(Optional.empty(), map.target("encoder.down.3.downsample.conv.weight"));
    }

    @Test
    void vaeAttentionConvolutionsBecomeLinears() {
        KeyMap map = CompVisKeyMap.vae(SD15_VAE);
        assertEquals(Optional.of(new KeyMap.Target("encoder.mid_block.attentions.0.to_q.weight", true)),
                map.target("encoder.mid.attn_1.q.weight"));
        assertEquals(Optional.of(new KeyMap.Target("decoder.mid_block.attentions.0.to_out.0.bias", true)),
                map.target("decoder.mid.attn_1.proj_out.bias"));
        assertEquals(Optional.of(new KeyMap.Target("decoder.mid_block.attentions.0.group_norm.weight", false)),
                map.target("decoder.mid.attn_1.norm.weight"));
    }

    @Test
    void clipPositionIdsAreIgnoredByName() {
        KeyMap map = CompVisKeyMap.textEncoder();
        assertTrue(map.ignores("text_model.embeddings.position_ids"));
        assertFalse(map.ignores("text_model.embeddings.position_embedding.weight"));
        assertMaps(map, "text_model.encoder.layers.11.self_attn.q_proj.weight", "text_model.encoder.layers.11.self_attn.q_proj.weight");
        assertEquals(Optional.empty(), map.target("embeddings.token_embedding.weight"));
    }

    @Test
    void everyDiffusersKeyOfSd15GoesBackToItsOriginalName() {
        List<Map.Entry<CompVisKeyMap, Map<String, long[]>>> components = List.of(
                Map.entry(CompVisKeyMap.unet(SD15_UNET), ArchitectureShapes.unet(SD15_UNET)),
                Map.entry(CompVisKeyMap.vae(SD15_VAE), ArchitectureShapes.vae(SD15_VAE)),
                Map.entry(CompVisKeyMap.textEncoder(), ArchitectureShapes.textEncoder(
                        new TextEncoderConfig(49408, 768, 12, 12, 3072, 77, 1e-5, true))));
        int keys = 0;
        for (Map.Entry<CompVisKeyMap, Map<String, long[]>> component : components) {
            CompVisKeyMap map = component.getKey();
            for (String diffusers : component.getValue().keySet()) {
                CompVisKeyMap.OriginalKey original = map.original(diffusers).orElseThrow(() -> new AssertionError(diffusers));
                assertEquals(Optional.of(new KeyMap.Target(diffusers, original.convKernel())), map.target(original.key()),
                        diffusers + " -> " + original.key());
                keys++;
            }
        }
        assertEquals(Optional.of(new CompVisKeyMap.OriginalKey("encoder.mid.attn_1.k.weight", true)),
                CompVisKeyMap.vae(SD15_VAE).original("encoder.mid_block.attentions.0.to_k.weight"));
        assertEquals(Optional.of(new CompVisKeyMap.OriginalKey("output_blocks.8.2.conv.weight", false)),
                CompVisKeyMap.unet(SD15_UNET).original("up_blocks.2.upsamplers.0.conv.weight"));
        assertEquals(Optional.empty(), CompVisKeyMap.unet(SD15_UNET).original("up_blocks.3.upsamplers.0.conv.weight"));
        System.out.println(keys + " SD 1.5 keys map to their original names and back");
    }

    private static void assertMaps(KeyMap map, String original, String diffusers) {
        assertEquals(Optional.of(new KeyMap.Target(diffusers, false)), map.target(original), original);
    }
}
