package dev.diffarm.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.engine.model.LayerIndex;
import dev.diffarm.engine.model.UNetConfig;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.nn.Conv2d;
import dev.diffarm.engine.nn.GroupNorm;
import dev.diffarm.engine.nn.NativeOps;
import dev.diffarm.engine.nn.Upsample2D;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
    private final UNetEncoder encoder;
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
        this.encoder = new UNetEncoder(w, config);
        for (int i = 0; i < levels; i++) {
            Weights b = w.at("up_blocks", i);
            up.add(new UNetLevel(b, config.layersPerBlock() + 1, UNetEncoder.isCrossAttention(config.upBlockTypes().get(i)),
                    config.attentionHeads().get(levels - 1 - i), groups, eps, linear));
            upsamplers.add(i < levels - 1 ? new Upsample2D(b.at("upsamplers.0")) : null);
        }
        this.convNormOut = new GroupNorm(w.at("conv_norm_out"), groups, eps);
        this.convOut = new Conv2d(w.at("conv_out"));
        this.parameters = TorchParameterOrder.of(w.tensors());
        this.layers = w.layers();
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
        return forward(x, timestep, text, classLabel, Optional.empty());
    }

    /**
     * As {@link #forward(NDArray, float, NDArray)}, with a ControlNet's residuals added to the skip connections and
     * to the middle block's output, as diffusers' {@code down_block_additional_residuals} and
     * {@code mid_block_additional_residual}.
     */
    public NDArray forward(NDArray x, float timestep, NDArray text, ControlResiduals residuals) {
        return forward(x, timestep, text, -1, Optional.of(residuals));
    }

    private NDArray forward(NDArray x, float timestep, NDArray text, long classLabel,
                            Optional<ControlResiduals> residuals) {
        long batch = x.getShape().get(0);
        NDArray emb = timeEmbedding.forward(x.getManager(), timestep, batch);
        if (classEmbedding != null) {
            if (classLabel < 0) {
                throw new IllegalArgumentException("this UNet needs a class label (num_class_embeds = " + config.numClassEmbeds() + ")");
            }
            emb = emb.add(classEmbedding.get(classLabel).reshape(1, -1));
        }
        return forwardEmbedded(x, emb, text, residuals);
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
        return forwardEmbedded(x, timeEmbedding.forward(x.getManager(), timesteps), text, Optional.empty());
    }

    private NDArray forwardEmbedded(NDArray x, NDArray emb, NDArray text, Optional<ControlResiduals> residuals) {
        NDArray temb = NativeOps.silu(emb);

        List<NDArray> outputs = encoder.down(convIn.forward(NativeOps.channelsLast(x)), temb, text);
        // the middle block takes the last down output as it is; only the skip connections get the residuals
        NDArray h = encoder.mid(outputs.get(outputs.size() - 1), temb, text);
        if (residuals.isPresent()) {
            outputs = residuals.get().addToSkips(outputs);
            h = residuals.get().addToMid(h);
        }
        Deque<NDArray> skips = new ArrayDeque<>();
        outputs.forEach(skips::push);

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
