package dev.diffarm.engine.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The names of the original (CompVis / ldm) single-file checkpoint against diffusers' names, as one table of
 * modules: each row pairs a diffusers module path with the original one and says how the names inside the module
 * differ. The rows are generated from the component's config (levels, ResNets per level, which levels attend), so
 * the table fits the 2-level test model as well as SD 1.5's 4 levels. It follows diffusers'
 * {@code convert_original_stable_diffusion_to_diffusers}.
 *
 * <p>Keys are given with the component prefix ({@link #UNET_PREFIX} etc.) already stripped.
 */
public final class CompVisKeyMap implements KeyMap {
    public static final String UNET_PREFIX = "model.diffusion_model.";
    public static final String VAE_PREFIX = "first_stage_model.";
    public static final String TEXT_ENCODER_PREFIX = "cond_stage_model.transformer.";

    /** A buffer (0..76) that transformers' CLIPTextModel rebuilds itself; diffusers keeps no weight for it. */
    static final String CLIP_POSITION_IDS = "text_model.embeddings.position_ids";

    private final String description;
    private final Map<String, Row> rowsByOriginal;
    private final Map<String, Row> rowsByDiffusers;
    private final Set<String> ignored;

    private CompVisKeyMap(String description, List<Row> rows, Set<String> ignored) {
        this.description = description;
        this.rowsByOriginal = new HashMap<>();
        this.rowsByDiffusers = new HashMap<>();
        for (Row row : rows) {
            if (rowsByOriginal.put(row.original(), row) != null) {
                throw new IllegalStateException("two rows for original module " + row.original());
            }
            if (rowsByDiffusers.put(row.diffusers(), row) != null) {
                throw new IllegalStateException("two rows for diffusers module " + row.diffusers());
            }
        }
        this.ignored = ignored;
    }

    /**
     * A key in the original layout, and whether its tensor is stored there as a 1x1 convolution kernel [out, in, 1, 1]
     * where diffusers holds a linear weight [out, in].
     */
    public record OriginalKey(String key, boolean convKernel) {
    }

    /** How the names inside a module differ between the two layouts. */
    private enum Inside {
        /** The same names inside: a single conv/linear/norm, a transformer, the whole CLIP model. */
        SAME(),
        UNET_RESNET(
                new Leaf("norm1", "in_layers.0", false),
                new Leaf("conv1", "in_layers.2", false),
                new Leaf("time_emb_proj", "emb_layers.1", false),
                new Leaf("norm2", "out_layers.0", false),
                new Leaf("conv2", "out_layers.3", false),
                new Leaf("conv_shortcut", "skip_connection", false)),
        VAE_RESNET(
                new Leaf("norm1", "norm1", false),
                new Leaf("conv1", "conv1", false),
                new Leaf("norm2", "norm2", false),
                new Leaf("conv2", "conv2", false),
                new Leaf("conv_shortcut", "nin_shortcut", false)),
        /** The original computes q, k, v and the output projection with 1x1 convolutions, diffusers with linears. */
        VAE_ATTENTION(
                new Leaf("group_norm", "norm", false),
                new Leaf("to_q", "q", true),
                new Leaf("to_k", "k", true),
                new Leaf("to_v", "v", true),
                new Leaf("to_out.0", "proj_out", true));

        private final List<Leaf> leaves;

        Inside(Leaf... leaves) {
            this.leaves = List.of(leaves);
        }

        /** The diffusers name inside the module of an original {@code rest} such as {@code in_layers.0.weight}. */
        Optional<Target> translate(String diffusersModule, String rest) {
            if (this == SAME) {
                return Optional.of(new Target(diffusersModule + "." + rest, false));
            }
            for (Leaf leaf : leaves) {
                String start = leaf.original() + ".";
                if (rest.startsWith(start) && rest.indexOf('.', start.length()) < 0) {
                    String parameter = rest.substring(start.length());
                    return Optional.of(new Target(diffusersModule + "." + leaf.diffusers() + "." + parameter,
                            leaf.convToLinear()));
                }
            }
            return Optional.empty();
        }

        /** The original name inside the module of a diffusers {@code rest} such as {@code norm1.weight}. */
        Optional<OriginalKey> untranslate(String originalModule, String rest) {
            if (this == SAME) {
                return Optional.of(new OriginalKey(originalModule + "." + rest, false));
            }
            for (Leaf leaf : leaves) {
                String start = leaf.diffusers() + ".";
                if (rest.startsWith(start) && rest.indexOf('.', start.length()) < 0) {
                    String parameter = rest.substring(start.length());
                    return Optional.of(new OriginalKey(originalModule + "." + leaf.original() + "." + parameter,
                            leaf.convToLinear()));
                }
            }
            return Optional.empty();
        }
    }

    private record Leaf(String diffusers, String original, boolean convToLinear) {
    }

    private record Row(String diffusers, String original, Inside inside) {
    }

    /** The UNet under {@link #UNET_PREFIX}: {@code input_blocks}, {@code middle_block}, {@code output_blocks}. */
    public static CompVisKeyMap unet(UNetConfig config) {
        int levels = config.levels();
        int resnets = config.layersPerBlock();
        Rows rows = new Rows();
        addDownHalf(rows, config);
        // output_blocks: each up level has one ResNet more; its upsampler follows the last ResNet's attention.
        int output = 0;
        for (int level = 0; level < levels; level++) {
            boolean attends = config.upBlockTypes().get(level).startsWith("CrossAttn");
            for (int j = 0; j <= resnets; j++, output++) {
                rows.add("up_blocks." + level + ".resnets." + j, "output_blocks." + output + ".0", Inside.UNET_RESNET);
                if (attends) {
                    rows.add("up_blocks." + level + ".attentions." + j, "output_blocks." + output + ".1", Inside.SAME);
                }
                if (j == resnets && level < levels - 1) {
                    rows.add("up_blocks." + level + ".upsamplers.0", "output_blocks." + output + "." + (attends ? 2 : 1),
                            Inside.SAME);
                }
            }
        }
        rows.add("conv_norm_out", "out.0", Inside.SAME);
        rows.add("conv_out", "out.2", Inside.SAME);
        return new CompVisKeyMap("a UNet with block_out_channels " + config.blockOutChannels() + ", layers_per_block "
                + resnets + ", down blocks " + config.downBlockTypes() + ", up blocks " + config.upBlockTypes(),
                rows.list, Set.of());
    }

    /**
     * The rows of the UNet's down half, which a ControlNet copies under the same names: {@code conv_in} (the first
     * input block), the time embedding, the other input blocks, the middle block.
     */
    private static void addDownHalf(Rows rows, UNetConfig config) {
        rows.add("conv_in", "input_blocks.0.0", Inside.SAME);
        rows.add("time_embedding.linear_1", "time_embed.0", Inside.SAME);
        rows.add("time_embedding.linear_2", "time_embed.2", Inside.SAME);
        // input_blocks count on from 1: each level's ResNets (each with its attention), then its downsampler.
        int input = 1;
        for (int level = 0; level < config.levels(); level++) {
            boolean attends = config.downBlockTypes().get(level).startsWith("CrossAttn");
            for (int j = 0; j < config.layersPerBlock(); j++, input++) {
                rows.add("down_blocks." + level + ".resnets." + j, "input_blocks." + input + ".0", Inside.UNET_RESNET);
                if (attends) {
                    rows.add("down_blocks." + level + ".attentions." + j, "input_blocks." + input + ".1", Inside.SAME);
                }
            }
            if (level < config.levels() - 1) {
                rows.add("down_blocks." + level + ".downsamplers.0.conv", "input_blocks." + input + ".0.op", Inside.SAME);
                input++;
            }
        }
        rows.add("mid_block.resnets.0", "middle_block.0", Inside.UNET_RESNET);
        rows.add("mid_block.attentions.0", "middle_block.1", Inside.SAME);
        rows.add("mid_block.resnets.1", "middle_block.2", Inside.UNET_RESNET);
    }

    /**
     * A ControlNet in the original layout (lllyasviel's {@code cldm}, as A1111 users have it), its
     * {@code control_model.} prefix already stripped: the UNet's down half under the UNet's names, the hint block
     * {@code input_hint_block} (a sequence whose odd places are SiLUs: convolutions at 0, 2, 4, ...), the zero
     * convolutions {@code zero_convs.i.0} and {@code middle_block_out.0}.
     */
    public static CompVisKeyMap controlNet(ControlNetConfig config) {
        Rows rows = new Rows();
        addDownHalf(rows, config.unet());
        int hintConvs = 2 * (config.conditioningEmbedding().size() - 1);
        rows.add("controlnet_cond_embedding.conv_in", "input_hint_block.0", Inside.SAME);
        for (int i = 0; i < hintConvs; i++) {
            rows.add("controlnet_cond_embedding.blocks." + i, "input_hint_block." + (2 * i + 2), Inside.SAME);
        }
        rows.add("controlnet_cond_embedding.conv_out", "input_hint_block." + (2 * hintConvs + 2), Inside.SAME);
        UNetConfig unet = config.unet();
        for (int i = 0; i < config.downResiduals(); i++) {
            rows.add("controlnet_down_blocks." + i, "zero_convs." + i + ".0", Inside.SAME);
        }
        rows.add("controlnet_mid_block", "middle_block_out.0", Inside.SAME);
        return new CompVisKeyMap("a ControlNet with block_out_channels " + unet.blockOutChannels()
                + ", layers_per_block " + unet.layersPerBlock() + ", down blocks " + unet.downBlockTypes()
                + ", conditioning_embedding_out_channels " + config.conditioningEmbedding(), rows.list, Set.of());
    }

    /**
     * The VAE under {@link #VAE_PREFIX}. The original numbers the decoder's levels by resolution like the encoder's
     * ({@code up.0} is the full-size level), diffusers in the order they run: {@code up_blocks.i} is {@code up.(levels-1-i)}.
     */
    public static CompVisKeyMap vae(VaeConfig config) {
        int levels = config.blockOutChannels().size();
        int resnets = config.layersPerBlock();
        Rows rows = new Rows();
        for (String coder : List.of("encoder", "decoder")) {
            rows.add(coder + ".conv_in", coder + ".conv_in", Inside.SAME);
            rows.add(coder + ".mid_block.resnets.0", coder + ".mid.block_1", Inside.VAE_RESNET);
            rows.add(coder + ".mid_block.attentions.0", coder + ".mid.attn_1", Inside.VAE_ATTENTION);
            rows.add(coder + ".mid_block.resnets.1", coder + ".mid.block_2", Inside.VAE_RESNET);
            rows.add(coder + ".conv_norm_out", coder + ".norm_out", Inside.SAME);
            rows.add(coder + ".conv_out", coder + ".conv_out", Inside.SAME);
        }
        for (int level = 0; level < levels; level++) {
            for (int j = 0; j < resnets; j++) {
                rows.add("encoder.down_blocks." + level + ".resnets." + j, "encoder.down." + level + ".block." + j,
                        Inside.VAE_RESNET);
            }
            if (level < levels - 1) {
                rows.add("encoder.down_blocks." + level + ".downsamplers.0.conv", "encoder.down." + level + ".downsample.conv",
                        Inside.SAME);
            }
            int original = levels - 1 - level;
            for (int j = 0; j <= resnets; j++) {
                rows.add("decoder.up_blocks." + level + ".resnets." + j, "decoder.up." + original + ".block." + j,
                        Inside.VAE_RESNET);
            }
            if (level < levels - 1) {
                rows.add("decoder.up_blocks." + level + ".upsamplers.0.conv", "decoder.up." + original + ".upsample.conv",
                        Inside.SAME);
            }
        }
        rows.add("quant_conv", "quant_conv", Inside.SAME);
        rows.add("post_quant_conv", "post_quant_conv", Inside.SAME);
        return new CompVisKeyMap("a VAE with block_out_channels " + config.blockOutChannels() + ", layers_per_block "
                + resnets, rows.list, Set.of());
    }

    /** The CLIP text model under {@link #TEXT_ENCODER_PREFIX}: transformers' own names, less the position ids. */
    public static CompVisKeyMap textEncoder() {
        Rows rows = new Rows();
        rows.add("text_model", "text_model", Inside.SAME);
        return new CompVisKeyMap("a CLIP text model (text_model.*)", rows.list, Set.of(CLIP_POSITION_IDS));
    }

    @Override
    public Optional<Target> target(String storedKey) {
        for (int dot = storedKey.lastIndexOf('.'); dot > 0; dot = storedKey.lastIndexOf('.', dot - 1)) {
            Row row = rowsByOriginal.get(storedKey.substring(0, dot));
            if (row != null) {
                return row.inside().translate(row.diffusers(), storedKey.substring(dot + 1));
            }
        }
        return Optional.empty();
    }

    /**
     * The original key of a diffusers key (the component prefix not included): the inverse of {@link #target}, for
     * writing checkpoints in the original layout. Empty for a key that has no place in the component.
     */
    public Optional<OriginalKey> original(String diffusersKey) {
        for (int dot = diffusersKey.lastIndexOf('.'); dot > 0; dot = diffusersKey.lastIndexOf('.', dot - 1)) {
            Row row = rowsByDiffusers.get(diffusersKey.substring(0, dot));
            if (row != null) {
                return row.inside().untranslate(row.original(), diffusersKey.substring(dot + 1));
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean ignores(String storedKey) {
        return ignored.contains(storedKey);
    }

    @Override
    public String describe() {
        return description;
    }

    private static final class Rows {
        private final List<Row> list = new ArrayList<>();

        void add(String diffusers, String original, Inside inside) {
            list.add(new Row(diffusers, original, inside));
        }
    }
}
