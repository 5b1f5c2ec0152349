package dev.diffarm.engine.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.diffarm.engine.lora.LoraKeys.Part;
import dev.diffarm.engine.lora.LoraKeys.Role;
import dev.diffarm.engine.lora.LoraModule.Component;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LoraKeysTest {
    @Test
    void kohyaKeys() {
        assertEquals(Optional.of(new Part("lora_unet_down_blocks_0_attentions_0_proj_in", Component.UNET,
                        "down_blocks_0_attentions_0_proj_in", Role.DOWN)),
                LoraKeys.parse("lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight"));
        assertEquals(Optional.of(new Part("lora_te_text_model_encoder_layers_3_mlp_fc2", Component.TEXT_ENCODER,
                        "text_model_encoder_layers_3_mlp_fc2", Role.ALPHA)),
                LoraKeys.parse("lora_te_text_model_encoder_layers_3_mlp_fc2.alpha"));
    }

    @Test
    void diffusersKeys() {
        assertEquals(Optional.of(new Part("unet.mid_block.attentions.0.transformer_blocks.0.attn2.to_out.0", Component.UNET,
                        "mid_block.attentions.0.transformer_blocks.0.attn2.to_out.0", Role.UP)),
                LoraKeys.parse("unet.mid_block.attentions.0.transformer_blocks.0.attn2.to_out.0.lora_B.weight"));
        assertEquals(Optional.of(new Part("text_encoder.text_model.encoder.layers.0.self_attn.q_proj", Component.TEXT_ENCODER,
                        "text_model.encoder.layers.0.self_attn.q_proj", Role.DOWN)),
                LoraKeys.parse("text_encoder.text_model.encoder.layers.0.self_attn.q_proj.lora_A.weight"));
    }

    @Test
    void otherNetworksAndModelsAreNotLoraModules() {
        for (String key : new String[] {"lora_te1_text_model_encoder_layers_0_mlp_fc1.lora_down.weight",
                "lora_unet_mid_block_attentions_0_proj_in.hada_w1_a", "unet.down_blocks.0.attentions.0.proj_in.lora_magnitude_vector",
                "lora_unet_.lora_up.weight", "unet.lora_A.weight", "model.diffusion_model.out.2.weight"}) {
            assertEquals(Optional.empty(), LoraKeys.parse(key), key);
        }
    }
}
