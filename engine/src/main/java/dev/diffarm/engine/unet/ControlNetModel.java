package dev.diffarm.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.diffarm.engine.model.ControlNetConfig;
import dev.diffarm.engine.model.UNetConfig;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.nn.Conv2d;
import dev.diffarm.engine.nn.DataTypes;
import dev.diffarm.engine.nn.NativeOps;
import java.util.ArrayList;
import java.util.List;

/**
 * A ControlNet (Zhang et al., "Adding Conditional Control to Text-to-Image Diffusion Models"): a trainable copy of
 * the UNet's down half ({@link UNetEncoder}) that also sees a control image, through its conditioning embedding,
 * added after {@code conv_in}. Each of its skip outputs and its middle block's output goes through a 1x1 "zero
 * convolution" ({@code controlnet_down_blocks.i}, {@code controlnet_mid_block}) and becomes a residual the UNet adds
 * to its own ({@link ControlResiduals}), times the unit's conditioning scale. Key names are diffusers'
 * {@code ControlNetModel}'s.
 */
public final class ControlNetModel {
    private final ControlNetConfig config;
    private final Conv2d convIn;
    private final TimestepEmbedding timeEmbedding;
    private final ControlNetConditioningEmbedding conditioningEmbedding;
    private final UNetEncoder encoder;
    private final List<Conv2d> downZeroConvs = new ArrayList<>();
    private final Conv2d midZeroConv;

    /** Builds the ControlNet from {@code w} (diffusers key names), taking every tensor it needs. */
    public ControlNetModel(Weights w, ControlNetConfig config) {
        this.config = config;
        UNetConfig unet = config.unet();
        this.convIn = new Conv2d(w.at("conv_in"));
        this.timeEmbedding = new TimestepEmbedding(w.at("time_embedding"), unet.blockOutChannels().get(0),
                unet.flipSinToCos(), unet.freqShift());
        this.conditioningEmbedding = new ControlNetConditioningEmbedding(w.at("controlnet_cond_embedding"),
                config.conditioningEmbedding().size());
        this.encoder = new UNetEncoder(w, unet);
        for (int i = 0; i < config.downResiduals(); i++) {
            downZeroConvs.add(new Conv2d(w.at("controlnet_down_blocks", i)));
        }
        this.midZeroConv = new Conv2d(w.at("controlnet_mid_block"));
    }

    public ControlNetConfig config() {
        return config;
    }

    /**
     * The residuals for one UNet pass.
     *
     * @param x        the UNet's latent input [N, C, h, w], already scaled to the timestep's variance
     * @param timestep the training timestep, shared by the batch
     * @param text     text embeddings [N, tokens, D], the UNet's own
     * @param image    the control image [N, 3, h * factor, w * factor] in [0, 1], RGB
     * @param scale    the conditioning scale every residual is multiplied by
     */
    public ControlResiduals forward(NDArray x, float timestep, NDArray text, NDArray image, float scale) {
        // computes in its weights' type, as the UNet does; the residuals are added in the UNet's
        DataType type = convIn.weight().getDataType();
        NDArray temb = NativeOps.silu(timeEmbedding.forward(x.getManager(), timestep, x.getShape().get(0)));
        NDArray hint = conditioningEmbedding.forward(DataTypes.as(config.bgr() ? image.flip(1) : image, type));
        NDArray h = convIn.forward(NativeOps.channelsLast(DataTypes.as(x, type))).add(hint);
        NDArray context = DataTypes.as(text, type);
        List<NDArray> outputs = encoder.down(h, temb, context);
        NDArray mid = encoder.mid(outputs.get(outputs.size() - 1), temb, context);
        List<NDArray> down = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
            down.add(weighted(downZeroConvs.get(i).forward(outputs.get(i)), scale));
        }
        return new ControlResiduals(down, weighted(midZeroConv.forward(mid), scale));
    }

    /** A residual times the scale; averaged over the image first for a ControlNet with pooled conditions. */
    private NDArray weighted(NDArray residual, float scale) {
        NDArray r = config.globalPoolConditions() ? residual.mean(new int[] {2, 3}, true) : residual;
        return r.mul(scale);
    }
}
