package dev.diffarm.engine.upscale.sd;

import ai.djl.ndarray.NDArray;
import dev.diffarm.engine.schedule.SchedulerConfig;
import dev.diffarm.engine.schedule.TrainingSchedule;
import java.nio.file.Path;

/**
 * The SD x4 upscaler's {@code low_res_scheduler} (a diffusers DDPMScheduler): noises the low-resolution image to
 * the requested noise level before the UNet sees it, as {@code add_noise} does in float32:
 * {@code sqrt(abar[level]) * image + sqrt(1 - abar[level]) * noise}.
 */
final class LowResNoise {
    private final float[] alphasCumprod;

    private LowResNoise(float[] alphasCumprod) {
        this.alphasCumprod = alphasCumprod;
    }

    /** The noise levels of {@code low_res_scheduler/scheduler_config.json}. */
    static LowResNoise read(Path schedulerConfig) {
        return new LowResNoise(TrainingSchedule.of(SchedulerConfig.read(schedulerConfig)).alphasCumprod());
    }

    /** Number of noise levels (the scheduler's {@code num_train_timesteps}). */
    int levels() {
        return alphasCumprod.length;
    }

    /**
     * @param image [N, 3, h, w] in [-1, 1]
     * @param noise N(0, 1) noise of the same shape
     * @param level the noise level, 0 .. {@link #levels()} - 1
     */
    NDArray noised(NDArray image, NDArray noise, int level) {
        if (level < 0 || level >= alphasCumprod.length) {
            throw new IllegalArgumentException("noise level " + level + ": expected 0.." + (alphasCumprod.length - 1));
        }
        float abar = alphasCumprod[level];
        float keep = (float) Math.sqrt(abar);
        float add = (float) Math.sqrt(1f - abar);
        return image.mul(keep).add(noise.mul(add));
    }
}
