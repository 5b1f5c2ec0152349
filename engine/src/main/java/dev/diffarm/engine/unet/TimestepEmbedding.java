package dev.diffarm.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.nn.DataTypes;
import dev.diffarm.engine.nn.Linear;
import dev.diffarm.engine.nn.NativeOps;

/**
 * The diffusion step as a vector: sinusoids of the timestep at geometrically spaced frequencies
 * {@code exp(-ln(10000) i / (half - shift))}, then {@code linear_2(silu(linear_1(.)))}. Computed in
 * float32 in the reference's order so that large timesteps keep their phase.
 */
final class TimestepEmbedding {
    private static final double MAX_PERIOD = 10000;
    private final Linear linear1;
    private final Linear linear2;
    private final int channels;
    private final boolean flipSinToCos;
    private final int freqShift;

    TimestepEmbedding(Weights w, int channels, boolean flipSinToCos, int freqShift) {
        this.linear1 = new Linear(w.at("linear_1"));
        this.linear2 = new Linear(w.at("linear_2"));
        this.channels = channels;
        this.flipSinToCos = flipSinToCos;
        this.freqShift = freqShift;
    }

    /** @return the embedding [batch, 4 * channels] for one timestep shared by the batch */
    NDArray forward(NDManager manager, float timestep, long batch) {
        return linear2.forward(NativeOps.silu(linear1.forward(typed(sinusoids(manager, timestep, batch)))));
    }

    /** @return the embedding [n, 4 * channels], row i for {@code timesteps[i]} */
    NDArray forward(NDManager manager, float[] timesteps) {
        return linear2.forward(NativeOps.silu(linear1.forward(typed(sinusoids(manager, timesteps)))));
    }

    /** The float32 sinusoids in the layers' type, as diffusers' {@code t_emb.to(dtype=sample.dtype)}. */
    private NDArray typed(NDArray sinusoids) {
        return DataTypes.as(sinusoids, linear1.weight().getDataType());
    }

    /** One row per timestep, as diffusers' {@code timesteps[:, None] * exp(exponent)[None, :]}. */
    private NDArray sinusoids(NDManager manager, float[] timesteps) {
        NDArray angles = manager.create(timesteps).reshape(-1, 1).mul(frequencies(manager).reshape(1, -1));
        return flipSinToCos ? angles.cos().concat(angles.sin(), 1) : angles.sin().concat(angles.cos(), 1);
    }

    private NDArray frequencies(NDManager manager) {
        int half = channels / 2;
        return manager.arange(0, half, 1, DataType.FLOAT32)
                .mul((float) -Math.log(MAX_PERIOD)).div((float) (half - freqShift)).exp();
    }

    private NDArray sinusoids(NDManager manager, float timestep, long batch) {
        int half = channels / 2;
        NDArray exponent = manager.arange(0, half, 1, DataType.FLOAT32)
                .mul((float) -Math.log(MAX_PERIOD)).div((float) (half - freqShift));
        NDArray angles = exponent.exp().mul(timestep);
        NDArray sin = angles.sin();
        NDArray cos = angles.cos();
        NDArray emb = flipSinToCos ? cos.concat(sin) : sin.concat(cos);
        return emb.reshape(1, channels).repeat(0, batch);
    }
}
