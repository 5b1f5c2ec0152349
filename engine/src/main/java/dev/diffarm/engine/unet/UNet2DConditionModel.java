package dev.diffarm.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import dev.diffarm.engine.model.LayerIndex;
import dev.diffarm.engine.model.UNetConfig;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.nn.Autograd;
import dev.diffarm.engine.nn.Conv2d;
import dev.diffarm.engine.nn.DataTypes;
import dev.diffarm.engine.nn.GroupNorm;
import dev.diffarm.engine.nn.NativeOps;
import dev.diffarm.engine.nn.Upsample2D;
import java.util.ArrayList;
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
    /** The forward pass from conv_in to conv_out as steps. */
    private final List<UNetStep> steps = new ArrayList<>();

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
                    config.attentionHeads().get(levels - 1 - i), groups, eps, linear,
                    config.onlyCrossAttention().get(levels - 1 - i)));
            upsamplers.add(i < levels - 1 ? new Upsample2D(b.at("upsamplers.0")) : null);
        }
        this.convNormOut = new GroupNorm(w.at("conv_norm_out"), groups, eps);
        this.convOut = new Conv2d(w.at("conv_out"));
        this.parameters = TorchParameterOrder.of(w.tensors());
        this.layers = w.layers();
        buildSteps();
    }

    /**
     * conv_in (its output the first skip connection), the down steps, the middle block, each up layer taking a skip
     * connection, each upsampler sized to the next skip connection, and the output head.
     */
    private void buildSteps() {
        steps.add(UNetStep.of("conv_in", UNetStep.Skip.PUSH,
                (x, skip, temb, text) -> convIn.forward(NativeOps.channelsLast(x))));
        steps.addAll(encoder.downSteps());
        steps.add(encoder.midStep());
        for (int i = 0; i < up.size(); i++) {
            UNetLevel level = up.get(i);
            for (int j = 0; j < level.size(); j++) {
                int layer = j;
                steps.add(UNetStep.of("up_blocks." + i + ".layer." + j, UNetStep.Skip.POP, (h, skip, temb, text) ->
                        level.layer(layer, NDArrays.concat(new ai.djl.ndarray.NDList(h, skip), 1), temb, text)));
            }
            Upsample2D upsampler = upsamplers.get(i);
            if (upsampler != null) {
                steps.add(UNetStep.of("up_blocks." + i + ".upsamplers.0", UNetStep.Skip.PEEK, (h, skip, temb, text) ->
                        upsampler.forward(h, skip.getShape().get(2), skip.getShape().get(3))));
            }
        }
        steps.add(UNetStep.of("conv_out", UNetStep.Skip.NONE,
                (h, skip, temb, text) -> NativeOps.contiguous(convOut.forward(convNormOut.forwardSilu(h)))));
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

    /** As {@link #forward(NDArray, float, NDArray, long)}, with a ControlNet's residuals if there are any. */
    public NDArray forward(NDArray x, float timestep, NDArray text, long classLabel,
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

    /**
     * As {@link #forward(NDArray, float[], NDArray)}, keeping only the activations between the steps and computing
     * each step again in the backward pass ({@code checkpoints.backward()} after the loss's): gradient checkpointing.
     */
    public NDArray forward(NDArray x, float[] timesteps, NDArray text, CheckpointedForward checkpoints) {
        if (timesteps.length != x.getShape().get(0)) {
            throw new IllegalArgumentException(timesteps.length + " timesteps for a batch of " + x.getShape().get(0));
        }
        if (classEmbedding != null) {
            throw new IllegalArgumentException("per-sample timesteps are not supported for a UNet with class embeddings");
        }
        if (!Autograd.recording()) {
            return forward(x, timesteps, text); // no backward pass will follow: nothing to checkpoint
        }
        NDArray temb = NativeOps.silu(timeEmbedding.forward(x.getManager(), timesteps));
        return checkpoints.forward(steps, x, temb, text);
    }

    /**
     * The UNet computes in its weights' type (float16 under {@link dev.diffarm.engine.device.Precision#FP16}) and
     * answers in {@code x}'s, so that the sampler's state stays float32 whatever the precision.
     */
    private NDArray forwardEmbedded(NDArray x, NDArray emb, NDArray text, Optional<ControlResiduals> residuals) {
        DataType type = convIn.weight().getDataType();
        NDArray temb = NativeOps.silu(DataTypes.as(emb, type));
        NDArray typedText = DataTypes.as(text, type);
        List<NDArray> skips = new ArrayList<>();
        NDArray h = DataTypes.as(x, type);
        for (UNetStep step : steps) {
            NDArray skip = switch (step.skip()) {
                case POP -> skips.remove(skips.size() - 1);
                case PEEK -> skips.get(skips.size() - 1);
                default -> null;
            };
            h = step.run(h, skip, temb, typedText);
            if (step.skip() == UNetStep.Skip.PUSH) {
                skips.add(h);
            }
            if (step.middle() && residuals.isPresent()) {
                // the middle block takes the last down output as it is; only the skip connections get the residuals
                skips = new ArrayList<>(residuals.get().addToSkips(skips));
                h = residuals.get().addToMid(h);
            }
        }
        return DataTypes.as(h, x.getDataType());
    }
}
