package dev.diffarm.engine.unet;

import ai.djl.ndarray.NDArray;
import dev.diffarm.engine.nn.DataTypes;
import java.util.ArrayList;
import java.util.List;

/**
 * What ControlNets add to a UNet pass: one residual per skip connection of the down half (the output of
 * {@code conv_in}, of every down layer and of every downsampler, in that order) and one for the middle block's
 * output, already weighted by their units' conditioning scales. Several units' residuals add up ({@link #plus}).
 *
 * @param down one residual per skip connection, each the shape of its skip
 * @param mid  the residual of the middle block's output
 */
public record ControlResiduals(List<NDArray> down, NDArray mid) {

    public ControlResiduals {
        down = List.copyOf(down);
    }

    /** The element-wise sum of these residuals and {@code other}'s, as diffusers' {@code MultiControlNetModel} sums its units. */
    public ControlResiduals plus(ControlResiduals other) {
        requireSameCount(other.down.size());
        List<NDArray> sum = new ArrayList<>();
        for (int i = 0; i < down.size(); i++) {
            sum.add(down.get(i).add(other.down.get(i)));
        }
        return new ControlResiduals(sum, mid.add(other.mid));
    }

    /** The skip connections {@code skips} with these residuals added (in the skips' type: the UNet's precision). */
    List<NDArray> addToSkips(List<NDArray> skips) {
        requireSameCount(skips.size());
        List<NDArray> sum = new ArrayList<>();
        for (int i = 0; i < skips.size(); i++) {
            sum.add(skips.get(i).add(DataTypes.as(down.get(i), skips.get(i).getDataType())));
        }
        return sum;
    }

    NDArray addToMid(NDArray midOutput) {
        return midOutput.add(DataTypes.as(mid, midOutput.getDataType()));
    }

    private void requireSameCount(int skips) {
        if (skips != down.size()) {
            throw new IllegalArgumentException(down.size() + " down residuals for a UNet with " + skips
                    + " skip connections: the ControlNet was made for another UNet");
        }
    }
}
