package dev.diffarm.engine.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.nn.Attention;
import dev.diffarm.engine.nn.GroupNorm;
import dev.diffarm.engine.nn.Linear;
import dev.diffarm.engine.nn.ResnetBlock2D;

/**
 * The VAE's middle: ResNet block, single-head self-attention over all pixels (with its own group norm and
 * a residual connection), ResNet block.
 */
final class VaeMidBlock {
    private static final double EPS = 1e-6;
    private final ResnetBlock2D resnet1;
    private final GroupNorm attentionNorm;
    private final Attention attention;
    private final ResnetBlock2D resnet2;

    VaeMidBlock(Weights w, int groups) {
        this.resnet1 = new ResnetBlock2D(w.at("resnets.0"), groups, EPS);
        Weights a = w.at("attentions.0");
        this.attentionNorm = new GroupNorm(a.at("group_norm"), groups, EPS);
        this.attention = new Attention(new Linear(a.at("to_q")), new Linear(a.at("to_k")), new Linear(a.at("to_v")),
                new Linear(a.at("to_out.0")), 1, false);
        this.resnet2 = new ResnetBlock2D(w.at("resnets.1"), groups, EPS);
    }

    NDArray forward(NDArray x) {
        NDArray h = resnet1.forward(x, null);
        h = h.add(attend(attentionNorm.forward(h)));
        return resnet2.forward(h, null);
    }

    private NDArray attend(NDArray x) {
        Shape s = x.getShape();
        NDArray tokens = x.reshape(s.get(0), s.get(1), s.get(2) * s.get(3)).transpose(0, 2, 1);
        NDArray out = attention.forward(tokens, tokens);
        return out.transpose(0, 2, 1).reshape(s);
    }
}
