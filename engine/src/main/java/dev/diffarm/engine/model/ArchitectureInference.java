package dev.diffarm.engine.model;

import dev.diffarm.engine.safetensors.SafetensorsFile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The configs of a Stable Diffusion 1.x single-file checkpoint (CompVis layout), read from its tensor shapes.
 *
 * <p>What the shapes fix is taken from them: channels, levels, ResNets per level, which levels attend, the
 * cross-attention width, CLIP's width, depth, MLP and positions. What they cannot show follows SD 1.x: 8 UNet
 * attention heads on every level, CLIP heads of width 64 (one head over the whole width when it is not a multiple
 * of 64), quick GELU, group norms of 32 groups, epsilon 1e-5, a VAE scaling factor of 0.18215. A model that departs
 * from these (the tiny test model's heads do) needs its diffusers configs given instead.
 */
public final class ArchitectureInference {
    static final int SD1_UNET_HEADS = 8;
    static final int CLIP_HEAD_WIDTH = 64;
    static final double SD1_VAE_SCALING = 0.18215;
    static final int SD1_NORM_GROUPS = 32;
    static final double SD1_NORM_EPS = 1e-5;

    private static final String SD1_LAYOUT = "diffarm loads Stable Diffusion 1.x checkpoints: UNet "
            + CompVisKeyMap.UNET_PREFIX + "*, VAE " + CompVisKeyMap.VAE_PREFIX + "*, CLIP text encoder "
            + CompVisKeyMap.TEXT_ENCODER_PREFIX + "*";

    private record Signature(String keyPrefix, String what) {
    }

    private static final List<Signature> OTHER_ARCHITECTURES = List.of(
            new Signature("conditioner.embedders.", "an SDXL checkpoint (text encoders under conditioner.embedders.*)"),
            new Signature("cond_stage_model.model.", "an SD 2.x checkpoint (OpenCLIP text encoder under cond_stage_model.model.*)"),
            new Signature("model.diffusion_model.joint_blocks.", "an SD3 checkpoint (MMDiT under model.diffusion_model.joint_blocks.*)"));

    private ArchitectureInference() {
    }

    /** Fails with one message saying what {@code file} holds unless it is a complete SD 1.x checkpoint. */
    public static void requireStableDiffusion1(SafetensorsFile file) {
        for (Signature other : OTHER_ARCHITECTURES) {
            if (file.names().stream().anyMatch(k -> k.startsWith(other.keyPrefix()))) {
                throw new ModelLoadException(file.path() + " is " + other.what() + "; " + SD1_LAYOUT);
            }
        }
        List<String> missing = new ArrayList<>();
        for (String key : List.of(CompVisKeyMap.UNET_PREFIX + "input_blocks.0.0.weight",
                CompVisKeyMap.VAE_PREFIX + "encoder.conv_in.weight",
                CompVisKeyMap.TEXT_ENCODER_PREFIX + "text_model.embeddings.token_embedding.weight")) {
            if (!file.contains(key)) {
                missing.add(key);
            }
        }
        if (!missing.isEmpty()) {
            List<String> some = file.names().stream().limit(3).toList();
            throw new ModelLoadException(file.path() + " is not a Stable Diffusion 1.x checkpoint: it has no "
                    + String.join(", ", missing) + "; it holds " + file.names().size() + " tensors"
                    + (some.isEmpty() ? "" : ", e.g. " + String.join(", ", some)) + ". " + SD1_LAYOUT);
        }
    }

    /** The UNet's config: levels are split by the downsamplers ({@code op}) among the input blocks. */
    public static UNetConfig unet(SafetensorsFile file) {
        Tensors t = new Tensors(file, CompVisKeyMap.UNET_PREFIX, "an SD 1.x UNet");
        DownHalf half = downHalf(t);
        List<String> up = new ArrayList<>();
        for (int i = 0; i < half.channels().size(); i++) {
            up.add(t.has("output_blocks." + i * (half.resnets() + 1) + ".1.proj_in.weight") ? "CrossAttnUpBlock2D" : "UpBlock2D");
        }
        return half.config(t, t.dim("out.2.weight", 0), List.copyOf(up));
    }

    /**
     * The config of a ControlNet in the original layout (keys under {@code prefix}): its down half as a UNet's, its
     * hint block's widths from the convolutions at the even places of {@code input_hint_block} (SiLUs between them).
     * As for a UNet, 8 heads per level are assumed.
     */
    public static ControlNetConfig controlNet(SafetensorsFile file, String prefix) {
        Tensors t = new Tensors(file, prefix, "an SD 1.x ControlNet");
        DownHalf half = downHalf(t);
        int convs = 0;
        while (t.has("input_hint_block." + 2 * convs + ".weight")) {
            convs++;
        }
        // conv_in, then a width-keeping and a stride-2 convolution per further stage, then conv_out
        if (convs < 2 || convs % 2 != 0) {
            throw new ModelLoadException(t.where() + ": " + convs + " convolutions in " + prefix
                    + "input_hint_block; expected conv_in, two per further stage and conv_out");
        }
        List<Integer> stages = new ArrayList<>();
        stages.add(t.dim("input_hint_block.0.weight", 0));
        for (int stage = 1; stage < convs / 2; stage++) {
            stages.add(t.dim("input_hint_block." + 4 * stage + ".weight", 0));
        }
        int latentChannels = t.dim("input_blocks.0.0.weight", 1);
        return new ControlNetConfig(half.config(t, latentChannels, List.of()), t.dim("input_hint_block.0.weight", 1),
                stages, false, false);
    }

    /** The input blocks grouped by level, each level's width and whether it attends. */
    private record DownHalf(int resnets, List<Integer> channels, List<String> downBlockTypes) {

        UNetConfig config(Tensors t, int outChannels, List<String> upBlockTypes) {
            String midAttention = "middle_block.1.";
            return new UNetConfig(
                    t.dim("input_blocks.0.0.weight", 1),
                    outChannels,
                    channels, downBlockTypes, upBlockTypes,
                    resnets,
                    Collections.nCopies(channels.size(), SD1_UNET_HEADS),
                    t.dim(midAttention + "transformer_blocks.0.attn2.to_k.weight", 1),
                    SD1_NORM_GROUPS, SD1_NORM_EPS,
                    true, 0, // cos-first sinusoidal timestep embedding without frequency shift
                    0, // no class embeddings
                    t.shape(midAttention + "proj_in.weight").length == 2);
        }
    }

    /** Levels are split by the downsamplers ({@code op}) among the input blocks. */
    private static DownHalf downHalf(Tensors t) {
        List<List<Integer>> levels = new ArrayList<>();
        List<Integer> level = new ArrayList<>();
        for (int block = 1; t.hasModule("input_blocks." + block); block++) {
            if (t.has("input_blocks." + block + ".0.op.weight")) {
                levels.add(level);
                level = new ArrayList<>();
            } else {
                level.add(block);
            }
        }
        levels.add(level);
        int resnets = levels.get(0).size();
        if (levels.stream().anyMatch(l -> l.size() != resnets || l.isEmpty())) {
            throw new ModelLoadException(t.where() + ": levels have " + levels.stream().map(List::size).toList()
                    + " ResNets in input_blocks; expected the same number, at least 1, on every level");
        }
        List<Integer> channels = new ArrayList<>();
        List<String> down = new ArrayList<>();
        for (List<Integer> blocks : levels) {
            int first = blocks.get(0);
            channels.add(t.dim("input_blocks." + first + ".0.out_layers.3.weight", 0));
            down.add(t.has("input_blocks." + first + ".1.proj_in.weight") ? "CrossAttnDownBlock2D" : "DownBlock2D");
        }
        return new DownHalf(resnets, List.copyOf(channels), List.copyOf(down));
    }

    /** The VAE's config: levels and ResNets counted from the encoder. */
    public static VaeConfig vae(SafetensorsFile file) {
        Tensors t = new Tensors(file, CompVisKeyMap.VAE_PREFIX, "an SD 1.x VAE");
        List<Integer> channels = new ArrayList<>();
        for (int level = 0; t.hasModule("encoder.down." + level); level++) {
            channels.add(t.dim("encoder.down." + level + ".block.0.conv1.weight", 0));
        }
        int resnets = 0;
        while (t.hasModule("encoder.down.0.block." + resnets)) {
            resnets++;
        }
        if (channels.isEmpty() || resnets == 0) {
            throw new ModelLoadException(t.where() + ": no encoder.down.0.block.0 tensors; expected " + t.expected());
        }
        return new VaeConfig(
                t.dim("encoder.conv_in.weight", 1),
                t.dim("decoder.conv_out.weight", 0),
                t.dim("decoder.conv_in.weight", 1),
                List.copyOf(channels),
                resnets,
                SD1_NORM_GROUPS,
                SD1_VAE_SCALING);
    }

    /** The CLIP text encoder's config. */
    public static TextEncoderConfig textEncoder(SafetensorsFile file) {
        Tensors t = new Tensors(file, CompVisKeyMap.TEXT_ENCODER_PREFIX + "text_model.", "a CLIP text model");
        int layers = 0;
        while (t.hasModule("encoder.layers." + layers)) {
            layers++;
        }
        int hidden = t.dim("embeddings.token_embedding.weight", 1);
        return new TextEncoderConfig(
                t.dim("embeddings.token_embedding.weight", 0),
                hidden,
                layers,
                hidden % CLIP_HEAD_WIDTH == 0 ? hidden / CLIP_HEAD_WIDTH : 1,
                t.dim("encoder.layers.0.mlp.fc1.weight", 0),
                t.dim("embeddings.position_embedding.weight", 0),
                SD1_NORM_EPS,
                true);
    }

    /** The tensors of one component, by key relative to its prefix, failing with the full key when one is missing. */
    private static final class Tensors {
        private final SafetensorsFile file;
        private final String prefix;
        private final String expected;

        Tensors(SafetensorsFile file, String prefix, String expected) {
            this.file = file;
            this.prefix = prefix;
            this.expected = expected;
        }

        boolean has(String key) {
            return file.contains(prefix + key);
        }

        boolean hasModule(String path) {
            String start = prefix + path + ".";
            return file.names().stream().anyMatch(k -> k.startsWith(start));
        }

        long[] shape(String key) {
            if (!has(key)) {
                throw new ModelLoadException(where() + ": no tensor '" + prefix + key + "'; expected by " + expected);
            }
            return file.info(prefix + key).shape();
        }

        int dim(String key, int axis) {
            long[] shape = shape(key);
            if (axis >= shape.length) {
                throw new ModelLoadException(where() + ": tensor '" + prefix + key + "' has shape " + Arrays.toString(shape)
                        + "; expected at least " + (axis + 1) + " dimensions for " + expected);
            }
            return Math.toIntExact(shape[axis]);
        }

        String where() {
            return file.path().toString();
        }

        String expected() {
            return expected;
        }
    }
}
