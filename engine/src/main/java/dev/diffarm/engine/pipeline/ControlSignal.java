package dev.diffarm.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.unet.ControlResiduals;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * The ControlNet units of one sampling pass, as the {@link GuidedDenoiser} asks them for residuals before each UNet
 * call: every unit that controls the current step runs on the UNet's very input (both guidance halves, with the
 * UNet's text context, as diffusers does without guess mode) and the residuals of all units add up, so samplers see
 * nothing of it.
 *
 * <p>Each unit's control map is made once per latent size (the hires pass has its own) and kept in the run's
 * manager.
 */
final class ControlSignal {
    private final List<Unit> units;
    private final int scaleFactor;
    private final NDManager job;
    private final IntSupplier step;
    private final int steps;
    private final Map<String, NDArray> maps = new HashMap<>();

    /** A unit with its model loaded. */
    record Unit(ControlUnit unit, ControlNet controlNet) {
    }

    /**
     * @param units       the request's units, in order
     * @param scaleFactor pixels per latent pixel (the VAE's factor), the size the control maps are made at
     * @param job         the run's manager, which keeps the control maps
     * @param step        the sampling step the pass is at, from 0
     * @param steps       the pass's sampling steps, that guidance start and end are fractions of
     */
    ControlSignal(List<Unit> units, int scaleFactor, NDManager job, IntSupplier step, int steps) {
        this.units = List.copyOf(units);
        this.scaleFactor = scaleFactor;
        this.job = job;
        this.step = step;
        this.steps = steps;
    }

    /**
     * The summed residuals of the units that control the current step, for the UNet input {@code x}
     * [batch, 4, h, w] at {@code timestep} with text {@code context}; empty when none does.
     */
    Optional<ControlResiduals> residuals(NDArray x, float timestep, NDArray context) {
        ControlResiduals sum = null;
        for (int i = 0; i < units.size(); i++) {
            Unit unit = units.get(i);
            if (!unit.unit().controls(step.getAsInt(), steps)) {
                continue;
            }
            NDArray image = map(i, x);
            ControlResiduals r = unit.controlNet().model().forward(x, timestep, context, image,
                    (float) unit.unit().weight());
            sum = sum == null ? r : sum.plus(r);
        }
        return Optional.ofNullable(sum);
    }

    /** Unit {@code i}'s control map for a batch the shape of {@code x}: [batch, 3, h * factor, w * factor] in [0, 1]. */
    private NDArray map(int i, NDArray x) {
        long batch = x.getShape().get(0);
        int width = Math.toIntExact(x.getShape().get(3)) * scaleFactor;
        int height = Math.toIntExact(x.getShape().get(2)) * scaleFactor;
        return maps.computeIfAbsent(i + ":" + batch + ":" + width + "x" + height, key -> {
            RgbImage map = units.get(i).unit().controlMap(width, height);
            NDArray single = map.toNDArray(job).expandDims(0);
            NDArray[] copies = new NDArray[Math.toIntExact(batch)];
            java.util.Arrays.fill(copies, single);
            NDArray batched = batch == 1 ? single : NDArrays.concat(new NDList(copies), 0);
            NDScope.unregister(batched); // made inside a step, kept for the run
            return batched;
        });
    }
}
