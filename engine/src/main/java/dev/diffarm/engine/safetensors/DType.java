package dev.diffarm.engine.safetensors;

import ai.djl.ndarray.types.DataType;

/** The element types of a safetensors file that diffarm reads, with their size on disk. */
public enum DType {
    F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element on disk. */
    public int bytes() {
        return bytes;
    }

    /** True for the floating-point types, which diffarm widens to float32 when it loads them. */
    public boolean isFloatingPoint() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /** The type a loaded tensor has in memory: floating point becomes float32, integers keep theirs. */
    public DataType loadedType() {
        switch (this) {
            case F64: case F32: case F16: case BF16: return DataType.FLOAT32;
            case I64: return DataType.INT64;
            case I32: return DataType.INT32;
            case I16: return DataType.INT16;
            case I8: return DataType.INT8;
            case U8: return DataType.UINT8;
            case BOOL: return DataType.BOOLEAN;
            default: throw new AssertionError(this);
        }
    }

    /**
     * The DJL type that holds this type's elements exactly, for writing; none for BF16, which DJL's PyTorch binding
     * cannot hand over ({@link Float16}).
     *
     * @throws IllegalArgumentException for BF16
     */
    public DataType exactType() {
        switch (this) {
            case F64: return DataType.FLOAT64;
            case F32: return DataType.FLOAT32;
            case F16: return DataType.FLOAT16;
            case BF16: throw new IllegalArgumentException("DJL holds no bfloat16 arrays");
            default: return loadedType();
        }
    }

    /** The safetensors dtype that stores a DJL type, for writing. */
    public static DType of(DataType type) {
        switch (type) {
            case FLOAT64: return F64;
            case FLOAT32: return F32;
            case FLOAT16: return F16;
            case INT64: return I64;
            case INT32: return I32;
            case INT16: return I16;
            case INT8: return I8;
            case UINT8: return U8;
            case BOOLEAN: return BOOL;
            default: throw new IllegalArgumentException("safetensors cannot store " + type);
        }
    }
}
