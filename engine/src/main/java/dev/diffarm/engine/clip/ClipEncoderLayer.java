package dev.diffarm.engine.clip;

import ai.djl.ndarray.NDArray;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.nn.Attention;
import dev.diffarm.engine.nn.LayerNorm;
import dev.diffarm.engine.nn.Linear;
import dev.diffarm.engine.nn.NativeOps;

/** One pre-norm layer of CLIP's text transformer: causal self-attention, then the MLP, each added to the residual. */
final class ClipEncoderLayer {
    private final LayerNorm layerNorm1;
    private final Attention selfAttention;
    private final LayerNorm layerNorm2;
    private final Linear fc1;
    private final Linear fc2;
    private final boolean quickGelu;

    ClipEncoderLayer(Weights w, int heads, double eps, boolean quickGelu) {
        this.layerNorm1 = new LayerNorm(w.at("layer_norm1"), eps);
        Weights a = w.at("self_attn");
        this.selfAttention = new Attention(new Linear(a.at("q_proj")), new Linear(a.at("k_proj")),
                new Linear(a.at("v_proj")), new Linear(a.at("out_proj")), heads, true);
        this.layerNorm2 = new LayerNorm(w.at("layer_norm2"), eps);
        this.fc1 = new Linear(w.at("mlp.fc1"));
        this.fc2 = new Linear(w.at("mlp.fc2"));
        this.quickGelu = quickGelu;
    }

    NDArray forward(NDArray x) {
        NDArray h = layerNorm1.forward(x);
        x = x.add(selfAttention.forward(h, h));
        NDArray inner = fc1.forward(layerNorm2.forward(x));
        inner = quickGelu ? NativeOps.quickGelu(inner) : NativeOps.gelu(inner);
        return x.add(fc2.forward(inner));
    }
}
