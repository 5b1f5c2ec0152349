package dev.diffarm.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.engine.model.LayerIndex;
import dev.diffarm.engine.model.ModelLoadException;
import dev.diffarm.engine.model.UNetConfig;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.nn.Conv2d;
import dev.diffarm.engine.nn.Downsample2D;
import dev.diffarm.engine.nn.GroupNorm;
import dev.diffarm.engine.nn.NativeOps;
import dev.diffarm.engine.nn.ResnetBlock2D;
import dev.diffarm.engine.nn.Upsample2D;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * The noise-prediction UNet of Stable Diffusion 1.x: {@code eps = UNet(x_t, t, text)}.
 *
 * <p>Each down level keeps its outputs as skip connections; each up level concatenates them back in
 * reverse order. Up levels resize to their skip connection's size, not simply x2, so latents with odd
 * sides (a 520x520 image) come out the size they went in.
 */
public final class UNet2DConditionModel {
    private final UNetConfig config;
    private final Conv2d convIn;
    private final TimestepEmbedding timeEmbedding;
    private final NDArray classEmbedding;
    private final List<UNetLevel> down = new ArrayList<>();
    private final List<Downsample2D> downsamplers = new ArrayList<>();
    private final ResnetBlock2D midResnet1;
    private final Transformer2D midAttention;
    private final ResnetBlock2D midResnet2;
    private final List<UNetLevel> up = new ArrayList<>();
    private final List<Upsample2D> upsamplers = new ArrayList<>();
    private final GroupNorm convNormOut;
    private final Conv2d convOut;
    private final Map<String, NDArray> parameters;
    private final LayerIndex layers;

    /** Builds the UNet from {@code w} (diffusers key names), taking every tensor it needs. */
    public UNet2DConditionModel(Weights w, UNetConfig config) {
        this.config = config;
        int levels = config.levels();
        int groups = config.normGroups();
        double eps = config.normEps();
        boolean linear = config.useLinearProjection();
        this.convIn = new Conv2d(w.at("conv_in"));
        this.timeEmbedding = new TimestepEmbedding(w.at("time_embedding"), config.blockOutChannels().get(0),
                config.flipSinToCos(), config.freqShift());
        this.classEmbedding = config.numClassEmbeds() > 0 ? w.take("class_embedding.weight") : null;
        for (int i = 0; i < levels; i++) {
            Weights b = w.at("down_blocks", i);
            down.add(new UNetLevel(b, config.layersPerBlock(), isCrossAttention(config.downBlockTypes().get(i)),
                    config.attentionHeads().get(i), groups, eps, linear, config.onlyCrossAttention().get(i)));
            downsamplers.add(i < levels - 1 ? Downsample2D.padded(b.at("downsamplers.0")) : null);
        }
        Weights mid = w.at("mid_block");
        int lowestHeads = config.attentionHeads().get(levels - 1);
        this.midResnet1 = new ResnetBlock2D(mid.at("resnets.0"), groups, eps);
        this.midAttention = new Transformer2D(mid.at("attentions.0"), lowestHeads, groups, linear);
        this.midResnet2 = new ResnetBlock2D(mid.at("resnets.1"), groups, eps);
        for (int i = 0; i < levels; i++) {
            Weights b = w.at("up_blocks", i);
            up.add(new UNetLevel(b, config.layersPerBlock() + 1, isCrossAttention(config.upBlockTypes().get(i)),
                    config.attentionHeads().get(levels - 1 - i), groups, eps, linear,
                    config.onlyCrossAttention().get(levels - 1 - i)));
            upsamplers.add(i < levels - 1 ? new Upsample2D(b.at("upsamplers.0")) : null);
        }
        this.convNormOut = new GroupNorm(w.at("conv_norm_out"), groups, eps);
        this.convOut = new Conv2d(w.at("conv_out"));
        this.parameters = TorchParameterOrder.of(w.tensors());
        this.layers = w.layers();
    }

    private static boolean isCrossAttention(String blockType) {
        switch (blockType) {
            case "CrossAttnDownBlock2D": case "CrossAttnUpBlock2D": return true;
            case "DownBlock2D": case "UpBlock2D": return false;
            default: throw new ModelLoadException("UNet block type '" + blockType + "' is not supported "
                    + "(expected CrossAttnDownBlock2D, DownBlock2D, UpBlock2D or CrossAttnUpBlock2D)");
        }
    }

    public UNetConfig config() {
        return config;
    }

    /**
     * Every tensor of the UNet by its diffusers key ({@code down_blocks.0.resnets.0.conv1.weight}), in the order of
     * torch's {@code named_parameters()}: the arrays the UNet computes with, which full fine-tuning (DreamBooth) trains
     * in place. After changing their values call {@link #parametersChanged}.
     */
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /**
     * Tells every layer that {@link #parameters}' values were changed in place, so that what the layers derived from
     * them for inference (prepacked convolution kernels) is made anew before the next render uses it.
     */
    public void parametersChanged() {
        for (String path : layers.paths()) {
            layers.find(path).orElseThrow().loadedValuesChanged();
        }
    }

    /**
     * Predicts the noise in {@code x}.
     *
     * @param x        latents [N, C, h, w] (C = {@code in_channels})
     * @param timestep the training timestep of {@code x}'s noise level, shared by the batch
     * @param text     text embeddings [N, tokens, D]
     * @return the prediction [N, out_channels, h, w]
     */
    public NDArray forward(NDArray x, float timestep, NDArray text) {
        return forward(x, timestep, text, -1);
    }

    /**
     * As {@link #forward(NDArray, float, NDArray)}, with a class label (the x4 upscaler's noise level) added
     * to the time embedding; -1 for none.
     */
    public NDArray forward(NDArray x, float timestep, NDArray text, long classLabel) {
        long batch = x.getShape().get(0);
        NDArray emb = timeEmbedding.forward(x.getManager(), timestep, batch);
        if (classEmbedding != null) {
            if (classLabel < 0) {
                throw new IllegalArgumentException("this UNet needs a class label (num_class_embeds = " + config.numClassEmbeds() + ")");
            }
            emb = emb.add(classEmbedding.get(classLabel).reshape(1, -1));
        }
        return forwardEmbedded(x, emb, text);
    }

    /**
     * Predicts the noise in {@code x} where each sample has its own noise level, as in training.
     *
     * @param timesteps one training timestep per sample of {@code x}
     */
    public NDArray forward(NDArray x, float[] timesteps, NDArray text) {
        if (timesteps.length != x.getShape().get(0)) {
            throw new IllegalArgumentException(timesteps.length + " timesteps for a batch of " + x.getShape().get(0));
        }
        if (classEmbedding != null) {
            throw new IllegalArgumentException("per-sample timesteps are not supported for a UNet with class embeddings");
        }
        return forwardEmbedded(x, timeEmbedding.forward(x.getManager(), timesteps), text);
    }

    private NDArray forwardEmbedded(NDArray x, NDArray emb, NDArray text) {
        NDArray temb = NativeOps.silu(emb);

        NDArray h = convIn.forward(NativeOps.channelsLast(x));
        Deque<NDArray> skips = new ArrayDeque<>();
        skips.push(h);
        for (int i = 0; i < down.size(); i++) {
            UNetLevel level = down.get(i);
            for (int j = 0; j < level.size(); j++) {
                h = level.layer(j, h, temb, text);
                skips.push(h);
            }
            if (downsamplers.get(i) != null) {
                h = downsamplers.get(i).forward(h);
                skips.push(h);
            }
        }

        h = midResnet2.forward(midAttention.forward(midResnet1.forward(h, temb), text), temb);

        for (int i = 0; i < up.size(); i++) {
            UNetLevel level = up.get(i);
            for (int j = 0; j < level.size(); j++) {
                h = level.layer(j, NDArrays.concat(new ai.djl.ndarray.NDList(h, skips.pop()), 1), temb, text);
            }
            if (upsamplers.get(i) != null) {
                Shape target = skips.peek().getShape();
                h = upsamplers.get(i).forward(h, target.get(2), target.get(3));
            }
        }
        return NativeOps.contiguous(convOut.forward(convNormOut.forwardSilu(h)));
    }
}
