package dev.diffarm.upscalers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.api.tensor.TensorOps;
import dev.diffarm.api.upscale.UpscaleNetwork;
import dev.diffarm.api.upscale.UpscalerArchitecture;
import dev.diffarm.api.upscale.UpscalerWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.pf4j.Extension;

/**
 * ESRGAN-class upscalers: an RRDBNet ({@link RrdbNet}) from BasicSR's keys ({@code conv_first}, {@code body.N.rdbK
 * .convJ}, ...: Real-ESRGAN's releases) or the original ESRGAN layout ({@code model.0}, {@code model.1.sub.N.RDBK
 * .convJ.0}, ...: {@code 4x-UltraSharp} and most community models; mapped by {@link EsrganKeys}). Everything is read
 * from the weights, as spandrel reads it: features from {@code conv_first}'s outputs, blocks by counting
 * {@code body.N}, growth from {@code conv1}'s outputs, and the scale from the x2 upsamplers ({@code conv_upI}) and
 * {@code conv_first}'s inputs (3: none, 12: pixel-unshuffle by 2, 48: by 4), scale = 2^upsamplers / unshuffle. The
 * network takes RGB, as Real-ESRGAN's and ComfyUI's inference feed it.
 */
@Extension
public final class Esrgan implements UpscalerArchitecture {
    @Override
    public String name() {
        return "ESRGAN";
    }

    @Override
    public Optional<String> mismatch(UpscalerWeights weights) {
        Map<String, NDArray> t = weights.tensors();
        boolean basicSr = t.containsKey("conv_first.weight") && t.containsKey("body.0.rdb1.conv1.weight");
        boolean original = t.containsKey("model.0.weight") && t.containsKey("model.1.sub.0.RDB1.conv1.0.weight");
        if (basicSr || original) {
            return Optional.empty();
        }
        return Optional.of("no conv_first.weight and body.0.rdb1.conv1.weight (BasicSR's RRDBNet), nor model.0.weight "
                + "and model.1.sub.0.RDB1.conv1.0.weight (the original ESRGAN)");
    }

    /** The network on DJL's plain operators. */
    @Override
    public UpscaleNetwork load(UpscalerWeights weights) {
        return load(weights, TensorOps.plain());
    }

    /** The network on the host's operators: its convolutions, on activations in the layout they prefer. */
    @Override
    public UpscaleNetwork load(UpscalerWeights weights, TensorOps ops) {
        mismatch(weights).ifPresent(why -> {
            throw new IllegalArgumentException("upscaler model " + weights.name() + " is not an ESRGAN: " + why);
        });
        Map<String, NDArray> tensors = EsrganKeys.isOriginalLayout(weights.tensors())
                ? EsrganKeys.toBasicSr(weights.tensors()) : weights.tensors();
        StrictWeights w = new StrictWeights(weights.name(), tensors, ops);
        Shape first = w.shape("conv_first.weight");
        long features = first.get(0);
        int unshuffle = unshuffle(weights.name(), first.get(1));
        List<RrdbNet.Rrdb> body = new ArrayList<>();
        long grow = w.shape("body.0.rdb1.conv1.weight").get(0);
        for (int n = 0; w.has("body." + n + ".rdb1.conv1.weight"); n++) {
            body.add(new RrdbNet.Rrdb(rdb(w, "body." + n + ".rdb1", features, grow),
                    rdb(w, "body." + n + ".rdb2", features, grow), rdb(w, "body." + n + ".rdb3", features, grow)));
        }
        List<Conv3x3> up = new ArrayList<>();
        for (int i = 1; w.has("conv_up" + i + ".weight"); i++) {
            up.add(w.conv("conv_up" + i, features, features));
        }
        if ((1 << up.size()) % unshuffle != 0 || (1 << up.size()) < unshuffle) {
            throw new IllegalArgumentException("upscaler model " + weights.name() + ": " + up.size() + " x2 upsamplers "
                    + "after a pixel-unshuffle by " + unshuffle + " give no whole scale");
        }
        RrdbNet net = new RrdbNet(ops, unshuffle, w.conv("conv_first", first.get(1), features), body,
                w.conv("conv_body", features, features), up, w.conv("conv_hr", features, features),
                w.conv("conv_last", features, 3));
        w.requireAllUsed();
        return net;
    }

    private static RrdbNet.Rdb rdb(StrictWeights w, String prefix, long features, long grow) {
        return new RrdbNet.Rdb(w.conv(prefix + ".conv1", features, grow),
                w.conv(prefix + ".conv2", features + grow, grow), w.conv(prefix + ".conv3", features + 2 * grow, grow),
                w.conv(prefix + ".conv4", features + 3 * grow, grow), w.conv(prefix + ".conv5", features + 4 * grow,
                features));
    }

    /** The pixel-unshuffle factor that turns 3 RGB channels into {@code conv_first}'s inputs. */
    private static int unshuffle(String model, long inputs) {
        for (int factor : new int[] {1, 2, 4}) {
            if (inputs == 3L * factor * factor) {
                return factor;
            }
        }
        throw new IllegalArgumentException("upscaler model " + model + ": conv_first takes " + inputs + " channels, "
                + "expected 3 (RGB), 12 (RGB pixel-unshuffled by 2, an x2 model) or 48 (by 4, an x1 model)");
    }
}
