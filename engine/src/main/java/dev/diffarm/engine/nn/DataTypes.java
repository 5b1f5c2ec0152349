package dev.diffarm.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Casts at the edges of a module that computes in another precision than its callers. */
public final class DataTypes {
    private DataTypes() {
    }

    /** {@code x} itself when it is already of {@code type} (float32 stays bit for bit), else a converted copy. */
    public static NDArray as(NDArray x, DataType type) {
        return x.getDataType() == type ? x : x.toType(type, false);
    }
}
