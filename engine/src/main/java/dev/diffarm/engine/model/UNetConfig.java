package dev.diffarm.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;

/**
 * The shape of an SD 1.x-style UNet2DConditionModel, as its diffusers {@code config.json} gives it.
 *
 * @param inChannels        latent channels in (4; 9 for inpainting, 7 for the x4 upscaler)
 * @param outChannels       latent channels out
 * @param blockOutChannels  channels of each resolution level
 * @param downBlockTypes    {@code CrossAttnDownBlock2D} or {@code DownBlock2D} per level
 * @param upBlockTypes      {@code UpBlock2D} or {@code CrossAttnUpBlock2D} per level, from the lowest resolution
 * @param layersPerBlock    ResNet blocks per down level (up levels have one more)
 * @param attentionHeads    heads per attention level (diffusers' {@code attention_head_dim} means heads in SD 1.x)
 * @param crossAttentionDim width of the text embeddings
 * @param normGroups        group norm groups
 * @param normEps           group norm epsilon
 * @param flipSinToCos      timestep embedding order (cos first when true)
 * @param freqShift         timestep embedding frequency shift
 * @param numClassEmbeds    class embeddings (the upscaler's noise level), 0 for none
 * @param useLinearProjection transformer proj_in/out as linear layers (SD 2) instead of 1x1 convolutions
 */
public record UNetConfig(int inChannels, int outChannels, List<Integer> blockOutChannels, List<String> downBlockTypes,
                         List<String> upBlockTypes, int layersPerBlock, List<Integer> attentionHeads,
                         int crossAttentionDim, int normGroups, double normEps, boolean flipSinToCos, int freqShift,
                         int numClassEmbeds, boolean useLinearProjection) {

    public static UNetConfig fromJson(Path file) {
        JsonNode c = ConfigFiles.read(file);
        return fromJson(c, file, ConfigFiles.stringList(c, "up_block_types", file));
    }

    /**
     * The config in {@code c} (read from {@code file}) with the given up blocks: a ControlNet's config describes the
     * down half alone and has none.
     */
    static UNetConfig fromJson(JsonNode c, Path file, List<String> upBlockTypes) {
        List<Integer> channels = ConfigFiles.intList(c, "block_out_channels", file);
        JsonNode heads = c.hasNonNull("num_attention_heads") ? c.get("num_attention_heads") : c.get("attention_head_dim");
        List<Integer> headList = heads == null ? List.of(8, 8, 8, 8).subList(0, channels.size())
                : heads.isArray() ? ConfigFiles.intList(heads, file, "attention_head_dim")
                : java.util.Collections.nCopies(channels.size(), heads.asInt());
        return new UNetConfig(
                c.path("in_channels").asInt(4),
                c.path("out_channels").asInt(4),
                channels,
                ConfigFiles.stringList(c, "down_block_types", file),
                upBlockTypes,
                c.path("layers_per_block").asInt(2),
                headList,
                c.path("cross_attention_dim").asInt(768),
                c.path("norm_num_groups").asInt(32),
                c.path("norm_eps").asDouble(1e-5),
                c.path("flip_sin_to_cos").asBoolean(true),
                c.path("freq_shift").asInt(0),
                c.path("num_class_embeds").asInt(0),
                c.path("use_linear_projection").asBoolean(false));
    }

    /** Number of resolution levels. */
    public int levels() {
        return blockOutChannels.size();
    }

    /** Factor by which the UNet shrinks the latent at its lowest level. */
    public int downsampleFactor() {
        return 1 << (levels() - 1);
    }
}
