package dev.diffarm.farm.config;

/**
 * A picture in the farm's store, named by its key under {@value ImageInput#INPUTS_PREFIX}. Its size is known
 * only when the task reads it, so a mask that does not fit its picture fails the task, not the submission.
 *
 * @param key the object key, such as {@code inputs/products/sneaker.png}
 */
public record StoredImage(String key) implements ImageInput {
    public StoredImage {
        Rules.INPUT_KEY.require("key", key);
    }

    @Override
    public String json() {
        return key;
    }

    @Override
    public String identity() {
        return key;
    }
}
