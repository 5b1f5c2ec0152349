package dev.diffarm.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.diffarm.engine.safetensors.DType;
import java.util.Set;

/**
 * The tensors of one model component (UNet, VAE or text encoder) under diffusers' key names, wherever
 * they are stored: a diffusers folder's safetensors file, or a single-file checkpoint seen through a
 * key map.
 */
public interface TensorSource {
    /** Every key this source can give, in diffusers naming. */
    Set<String> keys();

    /** Shape of a tensor without loading it. */
    long[] shape(String key);

    /** The element type the tensor is stored in (before {@link #load} widens floating point to float32). */
    DType storedType(String key);

    /** Loads a tensor as float32 (floating point) into {@code manager}. */
    NDArray load(String key, NDManager manager);

    /** Where the tensors come from, for error messages. */
    String describe();
}
