package dev.diffarm.engine.safetensors;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.diffarm.engine.io.AtomicFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes named tensors and a {@code __metadata__} string map as one safetensors file.
 *
 * <pre>{@code
 * new SafetensorsWriter()
 *         .add("unet.weight", weight)              // an NDArray: FLOAT32, FLOAT16, INT64, ...
 *         .add("ids", new long[] {49406, 320}, 2)  // heap values with their shape
 *         .metadata("format", "pt")
 *         .write(Path.of("out.safetensors"));
 * }</pre>
 *
 * <p>Nothing is copied when a tensor is added: arrays must stay open and unchanged until {@link
 * #write} returns. {@code write} streams one tensor at a time to a temporary file and renames it over
 * the target ({@link AtomicFile}), so a multi-gigabyte model never needs a second copy in memory and
 * a reader never sees half a file. A tensor can also be added as a {@link TensorProducer} that makes
 * its values only when {@code write} reaches it, so that a file is written holding one tensor at a
 * time (a checkpoint merge).
 *
 * <p>The header lists the tensors in the order they were added and is padded with spaces so that the
 * data starts at a multiple of 8 bytes. The data is laid out widest element type first, so that every
 * tensor starts at a multiple of its element size and can be mapped without a copy.
 */
public final class SafetensorsWriter {
    private static final int ALIGNMENT = 8;
    private static final int CHUNK_BYTES = 1 << 16;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    /**
     * Adds an array of any type safetensors stores; not bfloat16, which DJL cannot hand over safely.
     * Its bytes are written as libtorch holds them, in host order, which is the format's little-endian
     * order on every platform libtorch ships for (x86-64, ARM64).
     */
    public SafetensorsWriter add(String name, NDArray array) {
        DType dtype;
        try {
            dtype = DType.of(array.getDataType());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tensor '" + name + "': " + e.getMessage(), e);
        }
        long[] shape = array.getShape().getShape();
        long byteLength = array.size() * dtype.bytes();
        return put(new Entry(name, dtype, shape, byteLength, out -> writeArray(out, name, array, byteLength)));
    }

    /** Makes a tensor's values when {@link #write} reaches it. */
    @FunctionalInterface
    public interface TensorProducer {
        /** The values, created in {@code manager}, which is closed as soon as they are written. */
        NDArray produce(NDManager manager);
    }

    /**
     * Adds a tensor that {@code producer} makes when {@link #write} reaches it, in a manager of its own that is closed
     * right after, so that no more than one produced tensor is alive at a time. The values must have {@code shape};
     * they are converted to {@code dtype} (float32 rounded to F16 or BF16 to nearest-even, for instance).
     */
    public SafetensorsWriter add(String name, DType dtype, long[] shape, TensorProducer producer) {
        long count = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        long byteLength = Math.multiplyExact(count, dtype.bytes());
        return put(new Entry(name, dtype, shape.clone(), byteLength, out -> {
            try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
                NDArray values = producer.produce(manager);
                if (!Arrays.equals(values.getShape().getShape(), shape)) {
                    throw new IllegalStateException("tensor '" + name + "' was made with shape " + values.getShape()
                            + ", announced as " + Arrays.toString(shape));
                }
                if (dtype == DType.BF16) {
                    writeBf16(out, values.toType(DataType.FLOAT32, false).toFloatArray());
                } else {
                    writeArray(out, name, values.toType(dtype.exactType(), false), byteLength);
                }
            }
        }));
    }

    /** Adds float32 values in row-major order with their {@code shape} (none for a scalar). */
    public SafetensorsWriter add(String name, float[] values, long... shape) {
        checkCount(name, values.length, shape);
        return put(new Entry(name, DType.F32, shape.clone(), values.length * 4L,
                out -> writeChunked(out, values.length, 4, (chunk, from, count) -> chunk.asFloatBuffer().put(values, from, count))));
    }

    /** Adds int64 values in row-major order with their {@code shape} (none for a scalar). */
    public SafetensorsWriter add(String name, long[] values, long... shape) {
        checkCount(name, values.length, shape);
        return put(new Entry(name, DType.I64, shape.clone(), values.length * 8L,
                out -> writeChunked(out, values.length, 8, (chunk, from, count) -> chunk.asLongBuffer().put(values, from, count))));
    }

    /** Adds (or replaces) one {@code __metadata__} entry; entries keep the order they were first added in. */
    public SafetensorsWriter metadata(String key, String value) {
        if (key == null || value == null) {
            throw new IllegalArgumentException("metadata key and value must not be null, got " + key + " = " + value);
        }
        metadata.put(key, value);
        return this;
    }

    /** Writes every tensor added so far to {@code target}, replacing it atomically if it exists. */
    public void write(Path target) throws IOException {
        List<Entry> layout = new ArrayList<>(entries.values());
        layout.sort(Comparator.comparingInt((Entry e) -> e.dtype().bytes()).reversed());
        Map<String, long[]> offsets = new LinkedHashMap<>();
        long end = 0;
        for (Entry e : layout) {
            offsets.put(e.name(), new long[] {end, end + e.byteLength()});
            end += e.byteLength();
        }
        ByteBuffer header = header(offsets);
        long total = header.remaining() + end;
        AtomicFile.write(target, channel -> {
            writeFully(channel, header);
            for (Entry e : layout) {
                e.data().writeTo(channel);
            }
            checkSize(channel, total, target);
        });
    }

    /** The 8-byte length, the JSON header and the spaces that align the data section. */
    private ByteBuffer header(Map<String, long[]> offsets) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(SafetensorsFile.METADATA_KEY);
            metadata.forEach(meta::put);
        }
        for (Entry e : entries.values()) {
            ObjectNode node = root.putObject(e.name());
            node.put("dtype", e.dtype().name());
            Arrays.stream(e.shape()).forEach(node.putArray("shape")::add);
            Arrays.stream(offsets.get(e.name())).forEach(node.putArray("data_offsets")::add);
        }
        byte[] json = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        int padding = (ALIGNMENT - json.length % ALIGNMENT) % ALIGNMENT;
        ByteBuffer header = ByteBuffer.allocate(8 + json.length + padding).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(json.length + padding).put(json);
        while (header.hasRemaining()) {
            header.put((byte) ' ');
        }
        return header.flip();
    }

    private static void writeArray(WritableByteChannel out, String name, NDArray array, long byteLength) throws IOException {
        // toByteBuffer may make a contiguous or CPU copy first; the scope frees it after the write.
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            ByteBuffer bytes = array.toByteBuffer(true);
            if (bytes.remaining() != byteLength) {
                throw new IllegalStateException("tensor '" + name + "' gave " + bytes.remaining()
                        + " bytes, expected " + byteLength);
            }
            writeFully(out, bytes);
        }
    }

    private static void writeBf16(WritableByteChannel out, float[] values) throws IOException {
        writeChunked(out, values.length, 2, (chunk, from, count) -> {
            for (int i = 0; i < count; i++) {
                chunk.putShort(i * 2, Float16.floatToBf16(values[from + i]));
            }
        });
    }

    private SafetensorsWriter put(Entry entry) {
        String name = entry.name();
        if (name == null || name.isEmpty() || name.equals(SafetensorsFile.METADATA_KEY)) {
            throw new IllegalArgumentException("invalid tensor name '" + name + "'");
        }
        if (entries.containsKey(name)) {
            throw new IllegalArgumentException("tensor '" + name + "' was already added");
        }
        entries.put(name, entry);
        return this;
    }

    private static void checkCount(String name, int count, long[] shape) {
        long expected = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                        + " has a negative dimension");
            }
            expected = Math.multiplyExact(expected, d);
        }
        if (expected != count) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " holds "
                    + expected + " values, got " + count);
        }
    }

    private static void checkSize(FileChannel channel, long expected, Path target) throws IOException {
        if (channel.position() != expected) {
            throw new IllegalStateException("wrote " + channel.position() + " bytes to " + target + ", expected " + expected);
        }
    }

    /** Writes {@code count} elements of {@code elementBytes} each through one small reused buffer. */
    private static void writeChunked(WritableByteChannel out, int count, int elementBytes, ChunkFiller filler)
            throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        int perChunk = CHUNK_BYTES / elementBytes;
        for (int from = 0; from < count; from += perChunk) {
            int n = Math.min(perChunk, count - from);
            chunk.clear();
            filler.fill(chunk, from, n);
            chunk.limit(n * elementBytes);
            writeFully(out, chunk);
        }
    }

    private static void writeFully(WritableByteChannel out, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }

    @FunctionalInterface
    private interface ChunkFiller {
        /** Puts elements {@code from .. from+count-1} at the start of {@code chunk}, little-endian. */
        void fill(ByteBuffer chunk, int from, int count);
    }

    @FunctionalInterface
    private interface Data {
        void writeTo(WritableByteChannel out) throws IOException;
    }

    private record Entry(String name, DType dtype, long[] shape, long byteLength, Data data) {
    }
}
