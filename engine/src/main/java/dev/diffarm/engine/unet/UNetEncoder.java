package dev.diffarm.engine.unet;

import ai.djl.ndarray.NDArray;
import dev.diffarm.engine.model.ModelLoadException;
import dev.diffarm.engine.model.UNetConfig;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.nn.Downsample2D;
import dev.diffarm.engine.nn.ResnetBlock2D;
import java.util.ArrayList;
import java.util.List;

/**
 * The UNet's down levels ({@code down_blocks.*}) and middle block ({@code mid_block.*}): the half that the UNet and
 * a ControlNet (a trainable copy of that half) have in common, under the same key names.
 */
final class UNetEncoder {
    private final List<UNetLevel> down = new ArrayList<>();
    private final List<Downsample2D> downsamplers = new ArrayList<>();
    private final ResnetBlock2D midResnet1;
    private final Transformer2D midAttention;
    private final ResnetBlock2D midResnet2;
    private final List<UNetStep> downSteps = new ArrayList<>();

    /** Takes {@code down_blocks.*} and {@code mid_block.*} from {@code w} (the model's root). */
    UNetEncoder(Weights w, UNetConfig config) {
        int levels = config.levels();
        int groups = config.normGroups();
        double eps = config.normEps();
        boolean linear = config.useLinearProjection();
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
            UNetLevel level = down.get(i);
            for (int j = 0; j < level.size(); j++) {
                int layer = j;
                downSteps.add(UNetStep.of("down_blocks." + i + ".layer." + j, UNetStep.Skip.PUSH,
                        (h, skip, temb, text) -> level.layer(layer, h, temb, text)));
            }
            Downsample2D downsampler = downsamplers.get(i);
            if (downsampler != null) {
                downSteps.add(UNetStep.of("down_blocks." + i + ".downsamplers.0", UNetStep.Skip.PUSH,
                        (h, skip, temb, text) -> downsampler.forward(h)));
            }
        }
    }

    /** The down levels as steps: each layer and each downsampler, every output a skip connection. */
    List<UNetStep> downSteps() {
        return downSteps;
    }

    /** The middle block as a step. */
    UNetStep midStep() {
        return new UNetStep("mid_block", UNetStep.Skip.NONE, true, (h, skip, temb, text) -> mid(h, temb, text));
    }

    static boolean isCrossAttention(String blockType) {
        switch (blockType) {
            case "CrossAttnDownBlock2D": case "CrossAttnUpBlock2D": return true;
            case "DownBlock2D": case "UpBlock2D": return false;
            default: throw new ModelLoadException("UNet block type '" + blockType + "' is not supported "
                    + "(expected CrossAttnDownBlock2D, DownBlock2D, UpBlock2D or CrossAttnUpBlock2D)");
        }
    }

    /**
     * Runs the down levels on {@code h} (the output of {@code conv_in}).
     *
     * @return every output the up levels take as a skip connection, in the order made: {@code h} itself, then each
     *         layer's and each downsampler's output; the last is the input of the middle block
     */
    List<NDArray> down(NDArray h, NDArray temb, NDArray text) {
        List<NDArray> outputs = new ArrayList<>();
        outputs.add(h);
        for (UNetStep step : downSteps) {
            h = step.run(h, null, temb, text);
            outputs.add(h);
        }
        return outputs;
    }

    /** The middle block: ResNet, transformer, ResNet at the lowest resolution. */
    NDArray mid(NDArray h, NDArray temb, NDArray text) {
        return midResnet2.forward(midAttention.forward(midResnet1.forward(h, temb), text), temb);
    }
}
