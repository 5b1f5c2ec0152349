package dev.diffarm.engine.torchzip;

import java.util.Arrays;

/**
 * A tensor of a torch file, as its pickle describes it: a view ({@code offset}, {@code shape},
 * {@code stride}, in elements) of a storage, whose bytes {@link TorchArchive#floats} reads.
 */
public record TorchTensor(Storage storage, long offset, long[] shape, long[] stride) {

    /** Elements the tensor has. */
    public long numel() {
        return Arrays.stream(shape).reduce(1, Math::multiplyExact);
    }

    @Override
    public String toString() {
        return storage.type().name() + Arrays.toString(shape);
    }

    /** A storage: {@code numel} elements of {@code type} in the archive's entry {@code data/<key>}. */
    public record Storage(StorageType type, String key, long numel) {
    }

    /** The element types of torch's storage classes ({@code torch.FloatStorage}, ...). */
    public enum StorageType {
        FLOAT("FloatStorage", 4),
        HALF("HalfStorage", 2),
        BFLOAT16("BFloat16Storage", 2),
        DOUBLE("DoubleStorage", 8),
        LONG("LongStorage", 8),
        INT("IntStorage", 4),
        SHORT("ShortStorage", 2),
        CHAR("CharStorage", 1),
        BYTE("ByteStorage", 1),
        BOOL("BoolStorage", 1);

        private final String className;
        private final int bytes;

        StorageType(String className, int bytes) {
            this.className = className;
            this.bytes = bytes;
        }

        /** The class name in module {@code torch}. */
        public String className() {
            return className;
        }

        public int bytes() {
            return bytes;
        }

        public boolean isFloatingPoint() {
            return this == FLOAT || this == HALF || this == BFLOAT16 || this == DOUBLE;
        }
    }
}
