package dev.diffarm.engine.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A safetensors file, read through a memory map: opening it parses and checks the header only, and
 * {@link #load} wraps a tensor's bytes without copying them where the type allows.
 *
 * <p>Every header entry is checked when the file is opened: known dtype, non-negative integer shape,
 * byte range inside the file and of exactly the size the dtype and shape need, no two tensors sharing
 * bytes, no name given twice, a {@code __metadata__} of strings. A file that fails any check is
 * refused with a {@link SafetensorsException} naming the file and the tensor. Files over 2 GiB work:
 * each tensor is mapped on its own (a single tensor must stay under 2 GiB to be loaded).
 *
 * <p>Loaded arrays map the file privately (copy-on-write): they share the page cache with every other
 * process that reads the model, and in-place changes to them stay in memory, never reaching the file.
 * A file must not be truncated while it is open or its arrays are alive; {@link SafetensorsWriter}
 * replaces files by renaming a new one over them, which mapped readers never see.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** Headers of real checkpoints are a few hundred KiB; anything near this is corrupt. */
    static final long MAX_HEADER_BYTES = 100L << 20;
    static final String METADATA_KEY = "__metadata__";
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Path path;
    private final FileChannel channel;
    /** Whether tensors can be mapped copy-on-write; if not, {@link #load} copies them. */
    private final boolean copyOnWrite;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, FileChannel channel, boolean copyOnWrite, long dataStart,
                            Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.copyOnWrite = copyOnWrite;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /**
     * Opens and validates {@code path}; the caller closes it. The file is opened for writing too where
     * the file system allows it, though never written: Java maps a file copy-on-write only through such
     * a channel. Where it does not (a read-only file or mount), {@link #load} copies instead.
     */
    public static SafetensorsFile open(Path path) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException | UnsupportedOperationException notWritable) {
            return openReadOnly(path);
        }
        return read(path, channel, true);
    }

    /** Opens {@code path} for reading only: {@link #load} then copies every tensor. */
    static SafetensorsFile openReadOnly(Path path) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new SafetensorsException("cannot open safetensors file " + path + ": " + e, e);
        }
        return read(path, channel, false);
    }

    private static SafetensorsFile read(Path path, FileChannel channel, boolean copyOnWrite) {
        try {
            long size = channel.size();
            if (size < 8) {
                throw new SafetensorsException(path + ": not a safetensors file (" + size
                        + " bytes, shorter than the 8-byte header length)");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.getLong(0);
            if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || headerLength > size - 8) {
                throw new SafetensorsException(path + ": header length " + Long.toUnsignedString(headerLength)
                        + " is impossible for a file of " + size + " bytes (at most " + MAX_HEADER_BYTES
                        + " and within the file; truncated or not a safetensors file)");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, 8);
            header.flip();
            long dataStart = 8 + headerLength;
            return parse(path, channel, copyOnWrite, decodeUtf8(path, header), dataStart, size - dataStart);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new SafetensorsException("cannot read safetensors file " + path + ": " + e, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static String decodeUtf8(Path path, ByteBuffer header) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(header).toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsException(path + ": header is not UTF-8 text (" + e + ")");
        }
    }

    private static SafetensorsFile parse(Path path, FileChannel channel, boolean copyOnWrite, String headerText,
                                         long dataStart, long dataSize) {
        JsonNode root;
        try {
            root = JSON.readTree(headerText);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " (at character " + e.getLocation().getCharOffset() + ")";
            throw new SafetensorsException(path + ": header is not valid JSON: " + e.getOriginalMessage() + where);
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsException(path + ": header is not a JSON object");
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = Map.of();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                metadata = metadata(path, field.getValue());
            } else {
                tensors.put(field.getKey(), entry(path, field.getKey(), field.getValue(), dataSize));
            }
        }
        checkNoOverlap(path, tensors.values());
        return new SafetensorsFile(path, channel, copyOnWrite, dataStart, Collections.unmodifiableMap(tensors), metadata);
    }

    private static Map<String, String> metadata(Path path, JsonNode node) {
        if (!node.isObject()) {
            throw new SafetensorsException(path + ": " + METADATA_KEY + " must be an object of strings, got " + node);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> m : node.properties()) {
            if (!m.getValue().isTextual()) {
                throw new SafetensorsException(path + ": " + METADATA_KEY + " value of '" + m.getKey()
                        + "' must be a string, got " + m.getValue());
            }
            metadata.put(m.getKey(), m.getValue().textValue());
        }
        return Collections.unmodifiableMap(metadata);
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
            throw new SafetensorsException(where + ": unsupported dtype " + node.get("dtype")
                    + " (diffarm reads " + Arrays.toString(DType.values()) + ")");
        }
        JsonNode shapeNode = node.get("shape");
        JsonNode offsets = node.get("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw new SafetensorsException(where + ": shape must be an array and data_offsets a pair, got "
                    + shapeNode + " and " + offsets);
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = nonNegativeLong(shapeNode.get(i));
            if (shape[i] < 0) {
                throw new SafetensorsException(where + ": shape " + shapeNode + " has an invalid dimension "
                        + shapeNode.get(i) + " (dimensions are integers >= 0)");
            }
        }
        long begin = nonNegativeLong(offsets.get(0));
        long end = nonNegativeLong(offsets.get(1));
        if (begin < 0 || end < begin || end > dataSize) {
            throw new SafetensorsException(where + ": data_offsets " + offsets
                    + " lie outside the data section of " + dataSize + " bytes (truncated file?)");
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
                    + " bytes but data_offsets " + offsets + " span " + (end - begin));
        }
        return info;
    }

    /** The value of an integer JSON node that fits a long and is not negative, or -1. */
    private static long nonNegativeLong(JsonNode node) {
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
            return -1;
        }
        return node.longValue();
    }

    private static void checkNoOverlap(Path path, Iterable<TensorInfo> infos) {
        List<TensorInfo> sorted = new ArrayList<>();
        infos.forEach(sorted::add);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        TensorInfo furthest = null;
        for (TensorInfo t : sorted) {
            if (furthest != null && t.begin() < furthest.end()) {
                throw new SafetensorsException(path + ": tensors '" + furthest.name() + "' and '" + t.name()
                        + "' overlap (bytes " + t.begin() + ".." + Math.min(t.end(), furthest.end())
                        + " of the data section belong to both)");
            }
            if (furthest == null || t.end() > furthest.end()) {
                furthest = t;
            }
        }
    }

    public Path path() {
        return path;
    }

    /** Tensor names in header order. */
    public Set<String> names() {
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

    /** The {@code __metadata__} string map in file order (empty if the file has none). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Loads a tensor into {@code manager}. Floating-point tensors of any width come back as float32;
     * integer tensors keep their type. F32 and integer tensors wrap a copy-on-write mapping of the
     * file without a copy (the array keeps the mapping alive after this file is closed, and in-place
     * changes stay in memory); F16 and F64 are widened by libtorch, BF16 in Java.
     */
    public NDArray load(String name, NDManager manager) {
        TensorInfo info = info(name);
        Shape shape = new Shape(info.shape());
        switch (info.dtype()) {
            case BF16: {
                int n = heapCount(info);
                ByteBuffer widened = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder());
                Float16.widenBf16(map(info), n, widened.asFloatBuffer());
                return manager.create(widened, shape, DataType.FLOAT32);
            }
            case F16:
            case F64: {
                // libtorch only reads the read-only mapping here: the widened copy is what is handed out
                DataType stored = info.dtype() == DType.F16 ? DataType.FLOAT16 : DataType.FLOAT64;
                try (NDArray raw = manager.create(map(info), shape, stored)) {
                    return raw.toType(DataType.FLOAT32, true);
                }
            }
            default: {
                ByteBuffer bytes = copyOnWrite ? mapCopyOnWrite(info) : copy(map(info));
                return manager.create(bytes, shape, info.dtype().loadedType());
            }
        }
    }

    /** A float tensor's values widened to float32, on the Java heap (for small tensors: configs, fixtures). */
    public float[] floats(String name) {
        TensorInfo info = info(name);
        if (!info.dtype().isFloatingPoint()) {
            throw new SafetensorsException(path + ": tensor '" + name + "' is " + info.dtype() + ", not a float type");
        }
        int n = heapCount(info);
        ByteBuffer bytes = map(info);
        float[] out = new float[n];
        switch (info.dtype()) {
            case F32:
                bytes.asFloatBuffer().get(out);
                break;
            case F16:
                Float16.widenF16(bytes, n, FloatBuffer.wrap(out));
                break;
            case BF16:
                Float16.widenBf16(bytes, n, FloatBuffer.wrap(out));
                break;
            case F64:
                for (int i = 0; i < n; i++) {
                    out[i] = (float) bytes.getDouble(i * 8);
                }
                break;
            default:
                throw new AssertionError(info.dtype());
        }
        return out;
    }

    /** An integer tensor's values as longs (I64, I32, I16, I8, U8). */
    public long[] longs(String name) {
        TensorInfo info = info(name);
        if (info.dtype().isFloatingPoint() || info.dtype() == DType.BOOL) {
            throw new SafetensorsException(path + ": tensor '" + name + "' is " + info.dtype() + ", not an integer type");
        }
        int n = heapCount(info);
        ByteBuffer bytes = map(info);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            switch (info.dtype()) {
                case I64: out[i] = bytes.getLong(i * 8); break;
                case I32: out[i] = bytes.getInt(i * 4); break;
                case I16: out[i] = bytes.getShort(i * 2); break;
                case I8: out[i] = bytes.get(i); break;
                case U8: out[i] = bytes.get(i) & 0xff; break;
                default: throw new AssertionError(info.dtype());
            }
        }
        return out;
    }

    /**
     * The element count of a tensor that is copied into one Java array or buffer, which holds at most
     * 2 GiB: with 8-byte elements (longs) that is 2^28 elements.
     */
    private int heapCount(TensorInfo info) {
        long n = info.elementCount();
        if (n > Integer.MAX_VALUE / 8) {
            throw new SafetensorsException(path + ": tensor '" + info.name() + "' has " + n
                    + " elements, too many to copy into one array (at most " + Integer.MAX_VALUE / 8 + ")");
        }
        return (int) n;
    }

    /** The tensor's bytes, mapped read-only: for reading only, never to hand to libtorch. */
    private ByteBuffer map(TensorInfo info) {
        return map(info, FileChannel.MapMode.READ_ONLY);
    }

    /** The tensor's bytes, mapped privately: writes go to memory, never to the file, and cannot fault. */
    private ByteBuffer mapCopyOnWrite(TensorInfo info) {
        return map(info, FileChannel.MapMode.PRIVATE);
    }

    private ByteBuffer map(TensorInfo info, FileChannel.MapMode mode) {
        if (info.byteLength() > Integer.MAX_VALUE) {
            throw new SafetensorsException(path + ": tensor '" + info.name() + "' is " + info.byteLength()
                    + " bytes; one tensor is limited to 2 GiB");
        }
        try {
            return channel.map(mode, dataStart + info.begin(), info.byteLength()).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new SafetensorsException(path + ": cannot map tensor '" + info.name() + "': " + e, e);
        }
    }

    private static ByteBuffer copy(ByteBuffer bytes) {
        ByteBuffer copy = ByteBuffer.allocateDirect(bytes.remaining()).order(bytes.order());
        return copy.put(bytes).flip();
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
            // nothing useful to do: the open already failed, or the file is being let go
        }
    }

    /** Closes the file; arrays already loaded keep their mapping alive on their own. */
    @Override
    public void close() {
        closeQuietly(channel);
    }
}
