package dev.diffarm.engine.unet;

import ai.djl.ndarray.NDArray;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.nn.ResnetBlock2D;
import java.util.ArrayList;
import java.util.List;

/**
 * The ResNet blocks of one UNet level, each followed by a spatial transformer on levels with attention
 * ({@code CrossAttnDownBlock2D}, {@code CrossAttnUpBlock2D}); down and up blocks share this body.
 */
final class UNetLevel {
    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final List<Transformer2D> attentions = new ArrayList<>();

    UNetLevel(Weights w, int resnetCount, boolean crossAttention, int heads, int groups, double eps,
              boolean linearProjection) {
        this(w, resnetCount, crossAttention, heads, groups, eps, linearProjection, false);
    }

    /** @param onlyCrossAttention whether the transformers' first attention attends to the text instead of itself */
    UNetLevel(Weights w, int resnetCount, boolean crossAttention, int heads, int groups, double eps,
              boolean linearProjection, boolean onlyCrossAttention) {
        for (int i = 0; i < resnetCount; i++) {
            resnets.add(new ResnetBlock2D(w.at("resnets", i), groups, eps));
            if (crossAttention) {
                attentions.add(new Transformer2D(w.at("attentions", i), heads, groups, linearProjection,
                        onlyCrossAttention));
            }
        }
    }

    int size() {
        return resnets.size();
    }

    /** Layer {@code i}: the ResNet block, then its transformer if the level has attention. */
    NDArray layer(int i, NDArray x, NDArray temb, NDArray text) {
        NDArray h = resnets.get(i).forward(x, temb);
        return attentions.isEmpty() ? h : attentions.get(i).forward(h, text);
    }
}
