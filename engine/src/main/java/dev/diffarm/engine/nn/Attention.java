package dev.diffarm.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Multi-head attention over token sequences [batch, tokens, channels]:
 * {@code softmax(q k^T / sqrt(d)) v} per head, then the output projection.
 * The four projections are given by the caller, which knows their key names.
 */
public final class Attention {
    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut;
    private final int heads;
    private final boolean causal;

    public Attention(Linear toQ, Linear toK, Linear toV, Linear toOut, int heads, boolean causal) {
        this.toQ = toQ;
        this.toK = toK;
        this.toV = toV;
        this.toOut = toOut;
        this.heads = heads;
        this.causal = causal;
    }

    /**
     * @param x       queries' source [batch, tokens, channels]
     * @param context keys' and values' source [batch, contextTokens, contextChannels]; {@code x} for self-attention
     */
    public NDArray forward(NDArray x, NDArray context) {
        NDArray q = splitHeads(toQ.forward(x));
        NDArray k = splitHeads(toK.forward(context));
        NDArray v = splitHeads(toV.forward(context));
        NDArray attended = NativeOps.attention(q, k, v, causal);
        Shape s = attended.getShape();
        NDArray merged = attended.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), s.get(1) * s.get(3));
        return toOut.forward(merged);
    }

    /** [B, N, H*D] to [B, H, N, D]. */
    private NDArray splitHeads(NDArray t) {
        Shape s = t.getShape();
        return t.reshape(s.get(0), s.get(1), heads, s.get(2) / heads).transpose(0, 2, 1, 3);
    }
}
