package dev.diffarm.upscalers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import dev.diffarm.api.tensor.TensorOps;
import dev.diffarm.api.upscale.UpscaleNetwork;
import java.util.ArrayList;
import java.util.List;

/**
 * ESRGAN's generator as BasicSR defines it ({@code basicsr/archs/rrdbnet_arch.py RRDBNet}), its fields named like
 * the BasicSR keys. Forward: pixel-unshuffle by {@code unshuffle} (x2 models: 2, so that they run at a quarter of the
 * pixels), {@code feat = conv_first(x)}, {@code feat = feat + conv_body(body(feat))}, then for each upsampler
 * {@code feat = lrelu(conv_upI(nearest_x2(feat)))}, and {@code conv_last(lrelu(conv_hr(feat)))}; every conv 3x3 with
 * padding 1, LeakyReLU slope 0.2.
 *
 * <p>A picture whose sides are not multiples of {@code unshuffle} is reflect-padded up to them and the output
 * cropped back, as Real-ESRGAN's inference pads ({@code RealESRGANer.pre_process}).
 */
final class RrdbNet implements UpscaleNetwork {
    private static final float SLOPE = 0.2f;
    private static final float RESIDUAL_SCALE = 0.2f;

    /** One residual dense block: five convolutions, each seeing the input and every earlier output. */
    record Rdb(Conv3x3 conv1, Conv3x3 conv2, Conv3x3 conv3, Conv3x3 conv4, Conv3x3 conv5) {
        NDArray forward(NDArray x) {
            NDArray x1 = conv1.applyLeakyRelu(x, SLOPE);
            NDArray x2 = conv2.applyLeakyRelu(cat(x, x1), SLOPE);
            NDArray x3 = conv3.applyLeakyRelu(cat(x, x1, x2), SLOPE);
            NDArray x4 = conv4.applyLeakyRelu(cat(x, x1, x2, x3), SLOPE);
            NDArray x5 = conv5.apply(cat(x, x1, x2, x3, x4));
            return x5.mul(RESIDUAL_SCALE).add(x);
        }
    }

    /** Residual in residual: three dense blocks, their result scaled by 0.2 and added to the input. */
    record Rrdb(Rdb rdb1, Rdb rdb2, Rdb rdb3) {
        NDArray forward(NDArray x) {
            return rdb3.forward(rdb2.forward(rdb1.forward(x))).mul(RESIDUAL_SCALE).add(x);
        }
    }

    private final TensorOps ops;
    private final int unshuffle;
    private final Conv3x3 convFirst;
    private final List<Rrdb> body;
    private final Conv3x3 convBody;
    private final List<Conv3x3> convUp;
    private final Conv3x3 convHr;
    private final Conv3x3 convLast;

    /** @param ops the operators the layers were prepared with: the activations are kept in the layout they prefer */
    RrdbNet(TensorOps ops, int unshuffle, Conv3x3 convFirst, List<Rrdb> body, Conv3x3 convBody, List<Conv3x3> convUp,
            Conv3x3 convHr, Conv3x3 convLast) {
        this.ops = ops;
        this.unshuffle = unshuffle;
        this.convFirst = convFirst;
        this.body = List.copyOf(body);
        this.convBody = convBody;
        this.convUp = List.copyOf(convUp);
        this.convHr = convHr;
        this.convLast = convLast;
    }

    /** Dense blocks in the trunk ({@code num_block}: 23 for RealESRGAN_x4plus). */
    int blocks() {
        return body.size();
    }

    @Override
    public int scale() {
        return (1 << convUp.size()) / unshuffle;
    }

    @Override
    public NDArray forward(NDArray rgb) {
        long h = rgb.getShape().get(2);
        long w = rgb.getShape().get(3);
        NDArray x = ops.preferredLayout(pixelUnshuffle(padToMultiple(rgb)));
        NDArray feat = convFirst.apply(x);
        NDArray trunk = feat;
        for (Rrdb block : body) {
            trunk = freeingIntermediates(block, trunk);
        }
        feat = feat.add(convBody.apply(trunk));
        for (Conv3x3 up : convUp) {
            feat = up.applyLeakyRelu(feat.repeat(2, 2).repeat(3, 2), SLOPE);
        }
        NDArray out = ops.standardLayout(convLast.apply(convHr.applyLeakyRelu(feat, SLOPE)));
        long outH = h * scale();
        long outW = w * scale();
        if (out.getShape().get(2) != outH || out.getShape().get(3) != outW) {
            out = out.get(new NDIndex(":, :, :{}, :{}", outH, outW));
        }
        return out;
    }

    /** One block, closing its dozens of activations as soon as it is done: only its output outlives it. */
    private static NDArray freeingIntermediates(Rrdb block, NDArray x) {
        try (NDScope scope = new NDScope()) {
            NDArray out = block.forward(x);
            NDScope.unregister(out);
            scope.suppressNotUsedWarning();
            return out;
        }
    }

    /** BasicSR's {@code pixel_unshuffle}: {@code out[c * u^2 + dy * u + dx][y][x] = in[c][u * y + dy][u * x + dx]}. */
    private NDArray pixelUnshuffle(NDArray x) {
        if (unshuffle == 1) {
            return x;
        }
        long c = x.getShape().get(1);
        long h = x.getShape().get(2) / unshuffle;
        long w = x.getShape().get(3) / unshuffle;
        return x.reshape(1, c, h, unshuffle, w, unshuffle).transpose(0, 1, 3, 5, 2, 4)
                .reshape(1, c * unshuffle * unshuffle, h, w);
    }

    /** Reflect padding at the bottom and right up to multiples of the unshuffle factor. */
    private NDArray padToMultiple(NDArray x) {
        NDArray out = x;
        for (int axis = 2; axis <= 3; axis++) {
            long size = out.getShape().get(axis);
            long pad = (unshuffle - size % unshuffle) % unshuffle;
            if (pad > 0) {
                out = NDArrays.concat(new NDList(out, reflection(out, axis, size, pad)), axis);
            }
        }
        return out;
    }

    /** The {@code pad} lines before the last one along {@code axis}, mirrored (the last line itself when alone). */
    private static NDArray reflection(NDArray x, int axis, long size, long pad) {
        long from = Math.max(size - 1 - pad, 0);
        long to = size > 1 ? size - 1 : size;
        String range = from + ":" + to;
        NDArray lines = x.get(new NDIndex(axis == 2 ? ":, :, " + range : ":, :, :, " + range));
        return lines.flip(axis);
    }

    private static NDArray cat(NDArray... parts) {
        return NDArrays.concat(new NDList(parts), 1);
    }

    /** The configuration, for messages and benchmarks. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        parts.add("features " + convFirst.weight().getShape().get(0));
        parts.add("blocks " + body.size());
        if (!body.isEmpty()) {
            parts.add("grow " + body.get(0).rdb1().conv1().weight().getShape().get(0));
        }
        parts.add("scale " + scale());
        return "RRDBNet[" + String.join(", ", parts) + "]";
    }
}
