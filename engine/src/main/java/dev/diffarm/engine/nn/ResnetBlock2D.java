package dev.diffarm.engine.nn;

import ai.djl.ndarray.NDArray;
import dev.diffarm.engine.model.Weights;

/**
 * The ResNet block of the UNet and the VAE:
 * {@code h = conv1(silu(norm1(x))) + proj(silu(temb)); out = shortcut(x) + conv2(silu(norm2(h)))}.
 * The time embedding term exists only in the UNet; the 1x1 shortcut only where channels change.
 */
public final class ResnetBlock2D {
    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final Linear timeEmbProj;
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Conv2d convShortcut;

    public ResnetBlock2D(Weights w, int groups, double eps) {
        this.norm1 = new GroupNorm(w.at("norm1"), groups, eps);
        this.conv1 = new Conv2d(w.at("conv1"));
        this.timeEmbProj = w.hasModule("time_emb_proj") ? new Linear(w.at("time_emb_proj")) : null;
        this.norm2 = new GroupNorm(w.at("norm2"), groups, eps);
        this.conv2 = new Conv2d(w.at("conv2"));
        this.convShortcut = w.hasModule("conv_shortcut") ? new Conv2d(w.at("conv_shortcut"), 1, 0) : null;
    }

    /**
     * @param x    [N, C, H, W]
     * @param temb the activated time embedding {@code silu(emb)} [N, E], or null in the VAE
     */
    public NDArray forward(NDArray x, NDArray temb) {
        NDArray h = conv1.forward(norm1.forwardSilu(x));
        if (timeEmbProj != null) {
            NDArray t = timeEmbProj.forward(temb);
            h = h.add(t.reshape(t.getShape().get(0), t.getShape().get(1), 1, 1));
        }
        h = conv2.forward(norm2.forwardSilu(h));
        NDArray shortcut = convShortcut == null ? x : convShortcut.forward(x);
        return shortcut.add(h);
    }

    public long outChannels() {
        return conv2.outChannels();
    }
}
