package dev.diffarm.engine.unet;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The order of diffusers' {@code UNet2DConditionModel.named_parameters()}: modules in the order their constructor
 * registers them. It differs from the order the forward pass (and our build) meets them in two ways: the UNet
 * registers its (empty) {@code down_blocks} and {@code up_blocks} lists before {@code mid_block}, and each block
 * registers all its {@code attentions} before its {@code resnets}, then its down/upsamplers. Within one resnet or
 * transformer the build order is torch's. The order matters for training: clipping sums the gradient norms in it.
 */
final class TorchParameterOrder {
    private static final List<String> TOP = List.of("conv_in", "time_embedding", "class_embedding", "down_blocks",
            "up_blocks", "mid_block", "conv_norm_out", "conv_out");
    private static final List<String> IN_BLOCK = List.of("attentions", "resnets", "downsamplers", "upsamplers");

    private TorchParameterOrder() {
    }

    /** {@code tensors} (in build order) re-ordered as torch lists them; keys of equal rank keep their build order. */
    static Map<String, NDArray> of(Map<String, NDArray> tensors) {
        List<String> keys = new ArrayList<>(tensors.keySet());
        keys.sort(Comparator.comparing(TorchParameterOrder::rank, TorchParameterOrder::compareRanks));
        Map<String, NDArray> ordered = new LinkedHashMap<>();
        for (String key : keys) {
            ordered.put(key, tensors.get(key));
        }
        return Collections.unmodifiableMap(ordered);
    }

    /** [top-level module, block index, sub-module list, index in it]; -1 where the key has no such part. */
    private static int[] rank(String key) {
        String[] parts = key.split("\\.");
        int top = TOP.indexOf(parts[0]);
        if (top < 0) {
            throw new IllegalArgumentException("UNet tensor '" + key + "' is under no module of UNet2DConditionModel");
        }
        boolean indexedBlock = parts[0].equals("down_blocks") || parts[0].equals("up_blocks");
        int block = indexedBlock ? Integer.parseInt(parts[1]) : -1;
        int sub = indexedBlock ? 2 : 1;
        if (parts[0].equals("mid_block") || indexedBlock) {
            return new int[] {top, block, IN_BLOCK.indexOf(parts[sub]), Integer.parseInt(parts[sub + 1])};
        }
        return new int[] {top, -1, -1, -1};
    }

    private static int compareRanks(int[] a, int[] b) {
        for (int i = 0; i < a.length; i++) {
            int c = Integer.compare(a[i], b[i]);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }
}
