package dev.diffarm.engine.unet;

import ai.djl.ndarray.NDArray;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.nn.Attention;
import dev.diffarm.engine.nn.LayerNorm;
import dev.diffarm.engine.nn.Linear;
import dev.diffarm.engine.nn.NativeOps;

/**
 * Self-attention, cross-attention to the text, and a GEGLU feed-forward, each pre-normalised and added
 * to the residual stream: {@code x += attn1(norm1(x)); x += attn2(norm2(x), text); x += ff(norm3(x))}.
 *
 * <p>With {@code only_cross_attention} (the SD x4 upscaler's first levels; its original config calls it
 * {@code disable_self_attentions}) the first attention attends to the text too: {@code x += attn1(norm1(x), text)}.
 */
final class BasicTransformerBlock {
    private static final double EPS = 1e-5;
    private final LayerNorm norm1;
    private final Attention attn1;
    private final LayerNorm norm2;
    private final Attention attn2;
    private final LayerNorm norm3;
    private final Linear ffIn;
    private final Linear ffOut;
    private final boolean onlyCrossAttention;

    BasicTransformerBlock(Weights w, int heads) {
        this(w, heads, false);
    }

    BasicTransformerBlock(Weights w, int heads, boolean onlyCrossAttention) {
        this.onlyCrossAttention = onlyCrossAttention;
        this.norm1 = new LayerNorm(w.at("norm1"), EPS);
        this.attn1 = attention(w.at("attn1"), heads);
        this.norm2 = new LayerNorm(w.at("norm2"), EPS);
        this.attn2 = attention(w.at("attn2"), heads);
        this.norm3 = new LayerNorm(w.at("norm3"), EPS);
        this.ffIn = new Linear(w.at("ff.net.0.proj"));
        this.ffOut = new Linear(w.at("ff.net.2"));
    }

    private static Attention attention(Weights w, int heads) {
        return new Attention(new Linear(w.at("to_q")), new Linear(w.at("to_k")), new Linear(w.at("to_v")),
                new Linear(w.at("to_out.0")), heads, false);
    }

    NDArray forward(NDArray x, NDArray text) {
        NDArray h = norm1.forward(x);
        x = x.add(attn1.forward(h, onlyCrossAttention ? text : h));
        x = x.add(attn2.forward(norm2.forward(x), text));
        return x.add(ffOut.forward(NativeOps.geglu(ffIn.forward(norm3.forward(x)))));
    }
}
