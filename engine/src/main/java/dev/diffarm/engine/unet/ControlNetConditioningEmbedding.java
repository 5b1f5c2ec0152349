package dev.diffarm.engine.unet;

import ai.djl.ndarray.NDArray;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.nn.Conv2d;
import dev.diffarm.engine.nn.NativeOps;
import java.util.ArrayList;
import java.util.List;

/**
 * The ControlNet's "hint block": 3x3 convolutions with SiLU between them that bring the control image down to the
 * latent's size and the UNet's first width. Per stage after the first, a convolution that keeps the width and a
 * stride-2 one to the next width ({@code blocks.2i}, {@code blocks.2i+1}); {@code conv_out} is one of the zero
 * convolutions of the paper (trained from zero) and has no SiLU after it.
 */
final class ControlNetConditioningEmbedding {
    private final Conv2d convIn;
    private final List<Conv2d> blocks = new ArrayList<>();
    private final Conv2d convOut;

    /**
     * @param stages the widths of the stages, {@code conditioning_embedding_out_channels}
     */
    ControlNetConditioningEmbedding(Weights w, int stages) {
        this.convIn = new Conv2d(w.at("conv_in"));
        for (int i = 0; i < stages - 1; i++) {
            blocks.add(new Conv2d(w.at("blocks", 2 * i)));
            blocks.add(new Conv2d(w.at("blocks", 2 * i + 1), 2, 1));
        }
        this.convOut = new Conv2d(w.at("conv_out"));
    }

    /** @param image the control image [N, C, H, W] in [0, 1] */
    NDArray forward(NDArray image) {
        NDArray h = NativeOps.silu(convIn.forward(image));
        for (Conv2d block : blocks) {
            h = NativeOps.silu(block.forward(h));
        }
        return convOut.forward(h);
    }
}
