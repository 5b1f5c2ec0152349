package dev.diffarm.engine.vae;

import ai.djl.ndarray.NDArray;
import dev.diffarm.engine.model.VaeConfig;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.nn.Conv2d;
import dev.diffarm.engine.nn.GroupNorm;
import dev.diffarm.engine.nn.ResnetBlock2D;
import dev.diffarm.engine.nn.Upsample2D;
import java.util.ArrayList;
import java.util.List;

/** Latent [N, latent, h, w] to image [N, 3, H, W] in about [-1, 1]. */
final class VaeDecoder {
    private static final double EPS = 1e-6;
    private final Conv2d convIn;
    private final VaeMidBlock mid;
    private final List<List<ResnetBlock2D>> levels = new ArrayList<>();
    private final List<Upsample2D> upsamplers = new ArrayList<>();
    private final GroupNorm normOut;
    private final Conv2d convOut;

    VaeDecoder(Weights w, VaeConfig config) {
        int groups = config.normGroups();
        this.convIn = new Conv2d(w.at("conv_in"));
        this.mid = new VaeMidBlock(w.at("mid_block"), groups);
        int count = config.blockOutChannels().size();
        for (int i = 0; i < count; i++) {
            Weights b = w.at("up_blocks", i);
            List<ResnetBlock2D> resnets = new ArrayList<>();
            for (int j = 0; j <= config.layersPerBlock(); j++) {
                resnets.add(new ResnetBlock2D(b.at("resnets", j), groups, EPS));
            }
            levels.add(resnets);
            upsamplers.add(i < count - 1 ? new Upsample2D(b.at("upsamplers.0")) : null);
        }
        this.normOut = new GroupNorm(w.at("conv_norm_out"), groups, EPS);
        this.convOut = new Conv2d(w.at("conv_out"));
    }

    NDArray forward(NDArray latent) {
        NDArray h = mid.forward(convIn.forward(latent));
        for (int i = 0; i < levels.size(); i++) {
            for (ResnetBlock2D resnet : levels.get(i)) {
                h = resnet.forward(h, null);
            }
            if (upsamplers.get(i) != null) {
                h = upsamplers.get(i).forward(h);
            }
        }
        return convOut.forward(normOut.forwardSilu(h));
    }
}
