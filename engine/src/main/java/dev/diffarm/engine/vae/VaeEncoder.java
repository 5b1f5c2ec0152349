package dev.diffarm.engine.vae;

import ai.djl.ndarray.NDArray;
import dev.diffarm.engine.model.VaeConfig;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.nn.Conv2d;
import dev.diffarm.engine.nn.Downsample2D;
import dev.diffarm.engine.nn.GroupNorm;
import dev.diffarm.engine.nn.ResnetBlock2D;
import java.util.ArrayList;
import java.util.List;

/** Image [N, 3, H, W] to the moments (mean and log-variance) of the latent distribution, [N, 2*latent, h, w]. */
final class VaeEncoder {
    private static final double EPS = 1e-6;
    private final Conv2d convIn;
    private final List<List<ResnetBlock2D>> levels = new ArrayList<>();
    private final List<Downsample2D> downsamplers = new ArrayList<>();
    private final VaeMidBlock mid;
    private final GroupNorm normOut;
    private final Conv2d convOut;

    VaeEncoder(Weights w, VaeConfig config) {
        int groups = config.normGroups();
        this.convIn = new Conv2d(w.at("conv_in"));
        int count = config.blockOutChannels().size();
        for (int i = 0; i < count; i++) {
            Weights b = w.at("down_blocks", i);
            List<ResnetBlock2D> resnets = new ArrayList<>();
            for (int j = 0; j < config.layersPerBlock(); j++) {
                resnets.add(new ResnetBlock2D(b.at("resnets", j), groups, EPS));
            }
            levels.add(resnets);
            downsamplers.add(i < count - 1 ? Downsample2D.rightBottomPadded(b.at("downsamplers.0")) : null);
        }
        this.mid = new VaeMidBlock(w.at("mid_block"), groups);
        this.normOut = new GroupNorm(w.at("conv_norm_out"), groups, EPS);
        this.convOut = new Conv2d(w.at("conv_out"));
    }

    NDArray forward(NDArray image) {
        NDArray h = convIn.forward(image);
        for (int i = 0; i < levels.size(); i++) {
            for (ResnetBlock2D resnet : levels.get(i)) {
                h = resnet.forward(h, null);
            }
            if (downsamplers.get(i) != null) {
                h = downsamplers.get(i).forward(h);
            }
        }
        return convOut.forward(normOut.forwardSilu(mid.forward(h)));
    }
}
