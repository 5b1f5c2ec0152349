package dev.diffarm.engine.pipeline;

import dev.diffarm.engine.image.RgbImage;
import java.util.Objects;

/**
 * The picture an img2img or inpainting run starts from.
 *
 * @param image      the picture, values in [0, 1]; fitted to the request's size by {@code resizeMode} if it has
 *                   another
 * @param strength   how much of it is repainted, in (0, 1]: diffusers' {@code strength}, A1111's "Denoising
 *                   strength". The run builds the request's schedule and runs its last
 *                   {@code int(steps * strength)} steps from the picture noised to that level
 * @param resizeMode how a picture of another size is fitted
 */
public record InitImage(RgbImage image, double strength, ResizeMode resizeMode) {
    public InitImage {
        Objects.requireNonNull(image, "init image");
        if (!(strength > 0 && strength <= 1)) {
            throw new IllegalArgumentException("strength = " + strength + ": expected a number in (0, 1]");
        }
        resizeMode = resizeMode == null ? ResizeMode.JUST_RESIZE : resizeMode;
    }

    /** The picture at {@code width} x {@code height}. */
    RgbImage fitted(int width, int height) {
        return resizeMode.apply(image, width, height);
    }
}
