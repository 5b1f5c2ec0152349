package dev.diffarm.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;

/**
 * The shape of an AutoencoderKL, as its diffusers {@code config.json} gives it.
 *
 * @param inChannels       image channels (3)
 * @param outChannels      image channels (3)
 * @param latentChannels   latent channels (4)
 * @param blockOutChannels channels of each level; the image is {@code 2^(levels-1)} times the latent
 * @param layersPerBlock   ResNet blocks per encoder level (decoder levels have one more)
 * @param normGroups       group norm groups
 * @param scalingFactor    latents are multiplied by it after encoding, divided before decoding
 */
public record VaeConfig(int inChannels, int outChannels, int latentChannels, List<Integer> blockOutChannels,
                        int layersPerBlock, int normGroups, double scalingFactor) {

    public static VaeConfig fromJson(Path file) {
        JsonNode c = ConfigFiles.read(file);
        return new VaeConfig(
                c.path("in_channels").asInt(3),
                c.path("out_channels").asInt(3),
                c.path("latent_channels").asInt(4),
                ConfigFiles.intList(c, "block_out_channels", file),
                c.path("layers_per_block").asInt(2),
                c.path("norm_num_groups").asInt(32),
                c.path("scaling_factor").asDouble(0.18215));
    }

    /** How many image pixels one latent pixel covers along each side: 8 for SD, 2 for the tiny test VAE. */
    public int scaleFactor() {
        return 1 << (blockOutChannels.size() - 1);
    }
}
