package dev.diffarm.engine.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A safetensors file, read through a memory map: opening it parses and checks the header only, and
 * {@link #load} wraps a tensor's bytes without copying them where the type allows.
 *
 * <p>Every header entry is checked when the file is opened: known dtype, non-negative shape, byte
 * range inside the file and of exactly the size the dtype and shape need, no two tensors sharing
 * bytes. A file that fails any check is refused with a {@link SafetensorsException} naming the file
 * and the tensor. Files over 2 GiB work: each tensor is mapped on its own.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** Headers of real checkpoints are a few hundred KiB; anything near this is corrupt. */
    static final long MAX_HEADER_BYTES = 100L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final FileChannel channel;
    /**
     * True when the file could be opened for writing, so tensors can wrap copy-on-write pages; a read-only
     * file is mapped read-only, and each tensor is copied so that an in-place change cannot fault.
     */
    private final boolean privateMapping;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, FileChannel channel, boolean privateMapping, long dataStart, Map<String, TensorInfo> tensors,
                            Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.privateMapping = privateMapping;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Opens and validates {@code path}. */
    public static SafetensorsFile open(Path path) {
        FileChannel channel;
        boolean privateMapping;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            privateMapping = true;
        } catch (IOException | UnsupportedOperationException | SecurityException notWritable) {
            try {
                channel = FileChannel.open(path, StandardOpenOption.READ);
                privateMapping = false;
            } catch (IOException e) {
                throw new SafetensorsException("cannot open safetensors file " + path + ": " + e, e);
            }
        }
        try {
            return read(path, channel, privateMapping);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static SafetensorsFile read(Path path, FileChannel channel, boolean privateMapping) {
        try {
            long size = channel.size();
            if (size < 8) {
                throw new SafetensorsException(path + ": not a safetensors file (" + size + " bytes, shorter than the 8-byte header length)");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.getLong(0);
            if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || headerLength > size - 8) {
                throw new SafetensorsException(path + ": header length " + Long.toUnsignedString(headerLength)
                        + " is impossible for a file of " + size + " bytes (truncated or not a safetensors file)");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, 8);
            long dataStart = 8 + headerLength;
            return parse(path, channel, privateMapping, new String(header.array(), StandardCharsets.UTF_8), dataStart,
                    size - dataStart);
        } catch (IOException e) {
            throw new SafetensorsException("cannot read safetensors file " + path + ": " + e, e);
        }
    }

    private static SafetensorsFile parse(Path path, FileChannel channel, boolean privateMapping, String headerText,
                                         long dataStart, long dataSize) {
        JsonNode root;
        try {
            root = JSON.readTree(headerText);
        } catch (IOException e) {
            throw new SafetensorsException(path + ": header is not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsException(path + ": header is not a JSON object");
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals("__metadata__")) {
                field.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            TensorInfo info = entry(path, field.getKey(), field.getValue(), dataSize);
            tensors.put(info.name(), info);
        }
        checkNoOverlap(path, tensors.values());
        return new SafetensorsFile(path, channel, privateMapping, dataStart, Collections.unmodifiableMap(tensors),
                Collections.unmodifiableMap(metadata));
    }

    private static TensorInfo entry(Path path, String name, JsonNode node, long dataSize) {
        String where = path + ": tensor '" + name + "'";
        if (!node.isObject() || !node.has("dtype") || !node.has("shape") || !node.has("data_offsets")) {
            throw new SafetensorsException(where + ": entry needs dtype, shape and data_offsets, got " + node);
        }
        DType dtype;
        try {
            dtype = DType.valueOf(node.get("dtype").asText());
        } catch (IllegalArgumentException e) {
            throw new SafetensorsException(where + ": unsupported dtype " + node.get("dtype"));
        }
        JsonNode shapeNode = node.get("shape");
        JsonNode offsets = node.get("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw new SafetensorsException(where + ": shape must be an array and data_offsets a pair, got "
                    + shapeNode + " and " + offsets);
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || d.asLong() < 0) {
                throw new SafetensorsException(where + ": shape " + shapeNode + " has an invalid dimension");
            }
            shape[i] = d.asLong();
        }
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        if (begin < 0 || end < begin || end > dataSize) {
            throw new SafetensorsException(where + ": data_offsets [" + offsets.get(0) + ", " + offsets.get(1)
                    + "] lie outside the data section of " + dataSize + " bytes (truncated file?)");
        }
        TensorInfo info = new TensorInfo(name, dtype, shape, begin, end);
        long expected;
        try {
            expected = Math.multiplyExact(info.elementCount(), dtype.bytes());
        } catch (ArithmeticException e) {
            throw new SafetensorsException(where + ": shape " + shapeNode + " is too large");
        }
        if (expected != end - begin) {
            throw new SafetensorsException(where + ": " + dtype + " " + shapeNode + " needs " + expected
                    + " bytes but data_offsets span " + (end - begin));
        }
        return info;
    }

    private static void checkNoOverlap(Path path, Iterable<TensorInfo> infos) {
        List<TensorInfo> sorted = new ArrayList<>();
        infos.forEach(sorted::add);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo a = sorted.get(i - 1);
            TensorInfo b = sorted.get(i);
            if (b.begin() < a.end()) {
                throw new SafetensorsException(path + ": tensors '" + a.name() + "' and '" + b.name()
                        + "' overlap (bytes " + b.begin() + ".." + a.end() + ")");
            }
        }
    }

    public Path path() {
        return path;
    }

    /** Tensor names in header order. */
    public java.util.Set<String> names() {
        return tensors.keySet();
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** The header entry of {@code name}; fails naming the file if there is none. */
    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new SafetensorsException(path + ": no tensor named '" + name + "'");
        }
        return info;
    }

    /** The {@code __metadata__} string map (empty if the file has none). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Loads a tensor into {@code manager}. Floating-point tensors of any width come back as float32;
     * integer tensors keep their type. A float32 tensor wraps the mapped bytes without a copy.
     */
    public NDArray load(String name, NDManager manager) {
        TensorInfo info = info(name);
        Shape shape = new Shape(info.shape());
        ByteBuffer bytes = map(info);
        switch (info.dtype()) {
            case BF16:
                return manager.create(Float16.widenBf16(bytes, (int) info.elementCount()), shape);
            case F16:
                return manager.create(bytes, shape, DataType.FLOAT16).toType(DataType.FLOAT32, false);
            case F64:
                return manager.create(bytes, shape, DataType.FLOAT64).toType(DataType.FLOAT32, false);
            default:
                return manager.create(bytes, shape, info.dtype().loadedType());
        }
    }

    /** A float tensor's values widened to float32, on the Java heap (for small tensors: configs, fixtures). */
    public float[] floats(String name) {
        TensorInfo info = info(name);
        ByteBuffer bytes = map(info);
        int n = Math.toIntExact(info.elementCount());
        switch (info.dtype()) {
            case F32: {
                float[] out = new float[n];
                bytes.asFloatBuffer().get(out);
                return out;
            }
            case F16: return Float16.widenF16(bytes, n).array();
            case BF16: return Float16.widenBf16(bytes, n).array();
            case F64: {
                float[] out = new float[n];
                for (int i = 0; i < n; i++) {
                    out[i] = (float) bytes.getDouble(i * 8);
                }
                return out;
            }
            default:
                throw new SafetensorsException(path + ": tensor '" + name + "' is " + info.dtype() + ", not a float type");
        }
    }

    /** An integer tensor's values as longs (I64, I32, I16, I8, U8). */
    public long[] longs(String name) {
        TensorInfo info = info(name);
        ByteBuffer bytes = map(info);
        int n = Math.toIntExact(info.elementCount());
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            switch (info.dtype()) {
                case I64: out[i] = bytes.getLong(i * 8); break;
                case I32: out[i] = bytes.getInt(i * 4); break;
                case I16: out[i] = bytes.getShort(i * 2); break;
                case I8: out[i] = bytes.get(i); break;
                case U8: out[i] = bytes.get(i) & 0xff; break;
                default:
                    throw new SafetensorsException(path + ": tensor '" + name + "' is " + info.dtype() + ", not an integer type");
            }
        }
        return out;
    }

    private ByteBuffer map(TensorInfo info) {
        if (info.byteLength() > Integer.MAX_VALUE) {
            throw new SafetensorsException(path + ": tensor '" + info.name() + "' is larger than 2 GiB");
        }
        try {
            long offset = dataStart + info.begin();
            if (privateMapping) {
                return channel.map(FileChannel.MapMode.PRIVATE, offset, info.byteLength()).order(ByteOrder.LITTLE_ENDIAN);
            }
            ByteBuffer readOnly = channel.map(FileChannel.MapMode.READ_ONLY, offset, info.byteLength());
            ByteBuffer copy = ByteBuffer.allocateDirect((int) info.byteLength());
            copy.put(readOnly).flip();
            return copy.order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new SafetensorsException(path + ": cannot map tensor '" + info.name() + "': " + e, e);
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer into, long position) throws IOException {
        while (into.hasRemaining()) {
            int n = channel.read(into, position + into.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing useful to do: the open already failed
        }
    }

    /** Closes the file; arrays already loaded keep their mapping alive on their own. */
    @Override
    public void close() {
        closeQuietly(channel);
    }
}
