package dev.diffarm.engine.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every tensor an SD 1.x component of a given configuration has, with its shape, in diffusers naming.
 * Used to build models with fresh weights (the benchmark, the demo model) without a checkpoint.
 */
public final class ArchitectureShapes {
    private final Map<String, long[]> shapes = new LinkedHashMap<>();

    private ArchitectureShapes() {
    }

    /** The UNet's tensors. */
    public static Map<String, long[]> unet(UNetConfig c) {
        ArchitectureShapes s = new ArchitectureShapes();
        List<Integer> ch = c.blockOutChannels();
        int n = ch.size();
        long c0 = ch.get(0);
        long temb = 4 * c0;
        s.conv("conv_in", c0, c.inChannels(), 3);
        s.linear("time_embedding.linear_1", temb, c0, true);
        s.linear("time_embedding.linear_2", temb, temb, true);
        if (c.numClassEmbeds() > 0) {
            s.put("class_embedding.weight", c.numClassEmbeds(), temb);
        }
        long in = c0;
        for (int i = 0; i < n; i++) {
            long out = ch.get(i);
            String b = "down_blocks." + i;
            for (int j = 0; j < c.layersPerBlock(); j++) {
                s.resnet(b + ".resnets." + j, j == 0 ? in : out, out, temb);
                if (c.downBlockTypes().get(i).startsWith("CrossAttn")) {
                    s.transformer(b + ".attentions." + j, out, c.crossAttentionDim(), c.useLinearProjection(),
                            c.onlyCrossAttention().get(i));
                }
            }
            if (i < n - 1) {
                s.conv(b + ".downsamplers.0.conv", out, out, 3);
            }
            in = out;
        }
        long last = ch.get(n - 1);
        s.resnet("mid_block.resnets.0", last, last, temb);
        s.transformer("mid_block.attentions.0", last, c.crossAttentionDim(), c.useLinearProjection(), false);
        s.resnet("mid_block.resnets.1", last, last, temb);
        for (int i = 0; i < n; i++) {
            long out = ch.get(n - 1 - i);
            long prev = ch.get(n - 1 - Math.max(i - 1, 0));
            long skipIn = ch.get(n - 1 - Math.min(i + 1, n - 1));
            String b = "up_blocks." + i;
            for (int j = 0; j <= c.layersPerBlock(); j++) {
                long skip = j == c.layersPerBlock() ? skipIn : out;
                s.resnet(b + ".resnets." + j, (j == 0 ? prev : out) + skip, out, temb);
                if (c.upBlockTypes().get(i).startsWith("CrossAttn")) {
                    s.transformer(b + ".attentions." + j, out, c.crossAttentionDim(), c.useLinearProjection(),
                            c.onlyCrossAttention().get(n - 1 - i));
                }
            }
            if (i < n - 1) {
                s.conv(b + ".upsamplers.0.conv", out, out, 3);
            }
        }
        s.norm("conv_norm_out", c0);
        s.conv("conv_out", c.outChannels(), c0, 3);
        return s.shapes;
    }

    /** The VAE's tensors. */
    public static Map<String, long[]> vae(VaeConfig c) {
        ArchitectureShapes s = new ArchitectureShapes();
        List<Integer> ch = c.blockOutChannels();
        int n = ch.size();
        long latent = c.latentChannels();
        s.conv("encoder.conv_in", ch.get(0), c.inChannels(), 3);
        long in = ch.get(0);
        for (int i = 0; i < n; i++) {
            long out = ch.get(i);
            for (int j = 0; j < c.layersPerBlock(); j++) {
                s.resnet("encoder.down_blocks." + i + ".resnets." + j, j == 0 ? in : out, out, 0);
            }
            if (i < n - 1) {
                s.conv("encoder.down_blocks." + i + ".downsamplers.0.conv", out, out, 3);
            }
            in = out;
        }
        long last = ch.get(n - 1);
        s.vaeMid("encoder.mid_block", last);
        s.norm("encoder.conv_norm_out", last);
        s.conv("encoder.conv_out", 2 * latent, last, 3);
        s.conv("quant_conv", 2 * latent, 2 * latent, 1);
        s.conv("post_quant_conv", latent, latent, 1);
        s.conv("decoder.conv_in", last, latent, 3);
        s.vaeMid("decoder.mid_block", last);
        for (int i = 0; i < n; i++) {
            long out = ch.get(n - 1 - i);
            long prev = ch.get(n - 1 - Math.max(i - 1, 0));
            for (int j = 0; j <= c.layersPerBlock(); j++) {
                s.resnet("decoder.up_blocks." + i + ".resnets." + j, j == 0 ? prev : out, out, 0);
            }
            if (i < n - 1) {
                s.conv("decoder.up_blocks." + i + ".upsamplers.0.conv", out, out, 3);
            }
        }
        s.norm("decoder.conv_norm_out", ch.get(0));
        s.conv("decoder.conv_out", c.outChannels(), ch.get(0), 3);
        return s.shapes;
    }

    /** The CLIP text transformer's tensors. */
    public static Map<String, long[]> textEncoder(TextEncoderConfig c) {
        ArchitectureShapes s = new ArchitectureShapes();
        long d = c.hiddenSize();
        s.put("text_model.embeddings.token_embedding.weight", c.vocabSize(), d);
        s.put("text_model.embeddings.position_embedding.weight", c.positions(), d);
        for (int i = 0; i < c.layers(); i++) {
            String l = "text_model.encoder.layers." + i;
            for (String p : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                s.linear(l + ".self_attn." + p, d, d, true);
            }
            s.norm(l + ".layer_norm1", d);
            s.linear(l + ".mlp.fc1", c.intermediate(), d, true);
            s.linear(l + ".mlp.fc2", d, c.intermediate(), true);
            s.norm(l + ".layer_norm2", d);
        }
        s.norm("text_model.final_layer_norm", d);
        return s.shapes;
    }

    private void put(String key, long... shape) {
        shapes.put(key, shape);
    }

    private void conv(String path, long out, long in, long kernel) {
        put(path + ".weight", out, in, kernel, kernel);
        put(path + ".bias", out);
    }

    private void linear(String path, long out, long in, boolean bias) {
        put(path + ".weight", out, in);
        if (bias) {
            put(path + ".bias", out);
        }
    }

    private void norm(String path, long channels) {
        put(path + ".weight", channels);
        put(path + ".bias", channels);
    }

    private void resnet(String path, long in, long out, long temb) {
        norm(path + ".norm1", in);
        conv(path + ".conv1", out, in, 3);
        if (temb > 0) {
            linear(path + ".time_emb_proj", out, temb, true);
        }
        norm(path + ".norm2", out);
        conv(path + ".conv2", out, out, 3);
        if (in != out) {
            conv(path + ".conv_shortcut", out, in, 1);
        }
    }

    private void transformer(String path, long channels, long context, boolean linearProjection,
                             boolean onlyCrossAttention) {
        norm(path + ".norm", channels);
        projection(path + ".proj_in", channels, linearProjection);
        String t = path + ".transformer_blocks.0";
        attention(t + ".attn1", channels, onlyCrossAttention ? context : channels, false);
        attention(t + ".attn2", channels, context, false);
        for (int k = 1; k <= 3; k++) {
            norm(t + ".norm" + k, channels);
        }
        linear(t + ".ff.net.0.proj", 8 * channels, channels, true);
        linear(t + ".ff.net.2", channels, 4 * channels, true);
        projection(path + ".proj_out", channels, linearProjection);
    }

    private void projection(String path, long channels, boolean linear) {
        if (linear) {
            linear(path, channels, channels, true);
        } else {
            conv(path, channels, channels, 1);
        }
    }

    private void attention(String path, long channels, long context, boolean qkvBias) {
        linear(path + ".to_q", channels, channels, qkvBias);
        linear(path + ".to_k", channels, context, qkvBias);
        linear(path + ".to_v", channels, context, qkvBias);
        linear(path + ".to_out.0", channels, channels, true);
    }

    private void vaeMid(String path, long channels) {
        resnet(path + ".resnets.0", channels, channels, 0);
        norm(path + ".attentions.0.group_norm", channels);
        attention(path + ".attentions.0", channels, channels, true);
        resnet(path + ".resnets.1", channels, channels, 0);
    }
}
