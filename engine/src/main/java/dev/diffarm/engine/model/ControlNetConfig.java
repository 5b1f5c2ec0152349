package dev.diffarm.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The shape of a ControlNet, as diffusers' {@code ControlNetModel} config gives it: the down half of an SD 1.x UNet
 * (its {@link #unet} has no up blocks), and the conditioning embedding that turns the control image into a feature
 * map of the latent's size.
 *
 * @param unet                     the copied down half: levels, ResNets per level, attention, widths
 * @param conditioningChannels     channels of the control image (3, RGB)
 * @param conditioningEmbedding    channels of the conditioning embedding's stages; each stage after the first halves
 *                                 the size, so the embedding shrinks the image by the VAE's factor
 * @param bgr                      the ControlNet was trained on BGR control images
 *                                 ({@code controlnet_conditioning_channel_order: "bgr"})
 * @param globalPoolConditions     residuals averaged over the image (the shuffle ControlNet)
 */
public record ControlNetConfig(UNetConfig unet, int conditioningChannels, List<Integer> conditioningEmbedding,
                               boolean bgr, boolean globalPoolConditions) {

    public ControlNetConfig {
        conditioningEmbedding = List.copyOf(conditioningEmbedding);
        if (conditioningEmbedding.isEmpty()) {
            throw new ModelLoadException("conditioning_embedding_out_channels is empty: expected one width per stage");
        }
    }

    /** Options of diffusers' ControlNetModel that change the computation and that this engine does not implement. */
    private static final Map<String, String> UNSUPPORTED_UNLESS_NULL = Map.of(
            "class_embed_type", "class embeddings",
            "addition_embed_type", "added embeddings (SDXL)",
            "encoder_hid_dim_type", "an encoder hidden projection");

    public static ControlNetConfig fromJson(Path file) {
        JsonNode c = ConfigFiles.read(file);
        UNSUPPORTED_UNLESS_NULL.forEach((field, what) -> {
            if (c.hasNonNull(field)) {
                throw new ModelLoadException(file + ": " + field + " = " + c.get(field) + ": " + what
                        + " are not supported; expected null (an SD 1.x ControlNet)");
            }
        });
        requireValue(c, file, "mid_block_type", "UNetMidBlock2DCrossAttn");
        requireValue(c, file, "resnet_time_scale_shift", "default");
        if (c.path("transformer_layers_per_block").asInt(1) != 1) {
            throw new ModelLoadException(file + ": transformer_layers_per_block = " + c.get("transformer_layers_per_block")
                    + ": expected 1 (an SD 1.x ControlNet)");
        }
        String order = c.path("controlnet_conditioning_channel_order").asText("rgb");
        if (!order.equals("rgb") && !order.equals("bgr")) {
            throw new ModelLoadException(file + ": controlnet_conditioning_channel_order = '" + order
                    + "': expected rgb or bgr");
        }
        return new ControlNetConfig(UNetConfig.fromJson(c, file, List.of()),
                c.path("conditioning_channels").asInt(3),
                c.has("conditioning_embedding_out_channels")
                        ? ConfigFiles.intList(c, "conditioning_embedding_out_channels", file)
                        : List.of(16, 32, 96, 256),
                order.equals("bgr"),
                c.path("global_pool_conditions").asBoolean(false));
    }

    private static void requireValue(JsonNode c, Path file, String field, String expected) {
        if (c.hasNonNull(field) && !c.get(field).asText().equals(expected)) {
            throw new ModelLoadException(file + ": " + field + " = '" + c.get(field).asText() + "': expected '"
                    + expected + "'");
        }
    }

    /**
     * The residuals of the down half, one per skip connection of the UNet: {@code conv_in}'s output, each down
     * layer's, each downsampler's.
     */
    public int downResiduals() {
        return 1 + unet.levels() * unet.layersPerBlock() + unet.levels() - 1;
    }

    /** Pixels of the control image per latent pixel: each conditioning stage after the first halves the size. */
    public int scaleFactor() {
        return 1 << (conditioningEmbedding.size() - 1);
    }
}
