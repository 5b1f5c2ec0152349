package dev.diffarm.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.nn.Conv2d;
import dev.diffarm.engine.nn.GroupNorm;
import dev.diffarm.engine.nn.Linear;
import java.util.ArrayList;
import java.util.List;

/**
 * The spatial transformer: the feature map [N, C, H, W] becomes H*W tokens, passes through the
 * transformer blocks, and is added back to its input. The projections in and out are 1x1 convolutions in
 * SD 1.x and linear layers in SD 2.x ({@code use_linear_projection}).
 */
final class Transformer2D {
    private static final double NORM_EPS = 1e-6;
    private final GroupNorm norm;
    private final Conv2d convIn;
    private final Conv2d convOut;
    private final Linear linearIn;
    private final Linear linearOut;
    private final List<BasicTransformerBlock> blocks = new ArrayList<>();

    Transformer2D(Weights w, int heads, int groups, boolean linearProjection) {
        this(w, heads, groups, linearProjection, false);
    }

    /** @param onlyCrossAttention whether each block's first attention attends to the text instead of itself */
    Transformer2D(Weights w, int heads, int groups, boolean linearProjection, boolean onlyCrossAttention) {
        this.norm = new GroupNorm(w.at("norm"), groups, NORM_EPS);
        this.convIn = linearProjection ? null : new Conv2d(w.at("proj_in"), 1, 0);
        this.linearIn = linearProjection ? new Linear(w.at("proj_in")) : null;
        for (int i = 0; w.hasModule("transformer_blocks." + i); i++) {
            blocks.add(new BasicTransformerBlock(w.at("transformer_blocks", i), heads, onlyCrossAttention));
        }
        this.convOut = linearProjection ? null : new Conv2d(w.at("proj_out"), 1, 0);
        this.linearOut = linearProjection ? new Linear(w.at("proj_out")) : null;
    }

    NDArray forward(NDArray x, NDArray text) {
        Shape s = x.getShape();
        long n = s.get(0);
        long h = s.get(2);
        long w = s.get(3);
        NDArray tokens;
        NDArray normed = norm.forward(x);
        if (convIn != null) {
            NDArray projected = convIn.forward(normed);
            tokens = toTokens(projected);
        } else {
            tokens = linearIn.forward(toTokens(normed));
        }
        for (BasicTransformerBlock block : blocks) {
            tokens = block.forward(tokens, text);
        }
        NDArray out;
        if (convOut != null) {
            out = convOut.forward(toMap(tokens, n, h, w));
        } else {
            out = toMap(linearOut.forward(tokens), n, h, w);
        }
        return out.add(x);
    }

    /** [N, C, H, W] to [N, H*W, C]. */
    private static NDArray toTokens(NDArray map) {
        Shape s = map.getShape();
        return map.reshape(s.get(0), s.get(1), s.get(2) * s.get(3)).transpose(0, 2, 1);
    }

    /** [N, H*W, C] to [N, C, H, W]. */
    private static NDArray toMap(NDArray tokens, long n, long h, long w) {
        return tokens.transpose(0, 2, 1).reshape(n, tokens.getShape().get(2), h, w);
    }
}
