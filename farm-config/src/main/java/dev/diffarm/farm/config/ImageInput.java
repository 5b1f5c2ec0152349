package dev.diffarm.farm.config;

/**
 * A picture a job names, as {@code initImage} or {@code mask}: either an object in the farm's store, under
 * {@value #INPUTS_PREFIX}, or the picture itself inline as a {@code data:} URI.
 * <pre>{@code "initImage": "inputs/products/sneaker.png"}
 * "mask": "data:image/png;base64,iVBORw0KGgo..."}</pre>
 */
public sealed interface ImageInput permits StoredImage, InlineImage {
    /** The prefix every stored input's key starts with: a job can only read pictures put there for it. */
    String INPUTS_PREFIX = "inputs/";

    /** What the job's JSON holds: the key, or the {@code data:} URI. */
    String json();

    /**
     * What the task's parameter hash covers: the key (as a model's name, not its content), or {@code sha256:} and
     * the hex digest of an inline picture's bytes, so that a hash does not hold the picture.
     */
    String identity();

    /**
     * The picture {@code value} names: a {@code data:} URI is an {@link InlineImage}, anything else a
     * {@link StoredImage} key.
     *
     * @throws IllegalArgumentException saying what was expected, when the key or the inline picture is not allowed
     */
    static ImageInput parse(String value) {
        return value.startsWith(InlineImage.SCHEME) ? InlineImage.parse(value) : new StoredImage(value);
    }
}
