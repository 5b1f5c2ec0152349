package dev.diffarm.engine.torchzip;

import dev.diffarm.engine.torchzip.TorchTensor.Storage;
import dev.diffarm.engine.torchzip.TorchTensor.StorageType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the pickle of a torch zip file ({@code data.pkl}) as data, never as code: it knows the opcodes that
 * {@code torch.save} writes for dicts, lists, tuples, strings, numbers and tensors (protocols 2 to 4), and
 * accepts exactly three callables, {@code torch._utils._rebuild_tensor_v2},
 * {@code torch._utils._rebuild_parameter} and {@code collections.OrderedDict}, plus torch's storage classes
 * as the type of a persistent storage id. Each is interpreted here, not called. Any other global (a module
 * class, {@code builtins.eval}, ...) is refused with its name before anything else happens.
 *
 * <p>Values come back as {@link String}, {@link Long}, {@link Double}, {@link Boolean}, {@code byte[]},
 * null, {@link List} (a tuple is an unmodifiable list), {@link Map} (insertion-ordered) and
 * {@link TorchTensor}.
 */
final class RestrictedUnpickler {
    private static final String REBUILD_TENSOR = "torch._utils._rebuild_tensor_v2";
    private static final String REBUILD_PARAMETER = "torch._utils._rebuild_parameter";
    private static final String ORDERED_DICT = "collections.OrderedDict";
    private static final Set<String> CALLABLES = Set.of(REBUILD_TENSOR, REBUILD_PARAMETER, ORDERED_DICT);
    private static final int HIGHEST_PROTOCOL = 5;

    private final ByteBuffer data;
    private final String source;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    /** Maps made by {@code OrderedDict()}: the only objects whose state a BUILD may set (and is ignored). */
    private final Set<Object> orderedDicts = Collections.newSetFromMap(new IdentityHashMap<>());

    private RestrictedUnpickler(byte[] pickle, String source) {
        this.data = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
        this.source = source;
    }

    /**
     * The object {@code pickle} describes.
     *
     * @param source names the pickle in error messages
     * @throws TorchFileException on a refused global, an unknown opcode or a malformed pickle
     */
    static Object read(byte[] pickle, String source) {
        try {
            return new RestrictedUnpickler(pickle, source).run();
        } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new TorchFileException(source + ": the pickle is truncated or malformed");
        } catch (ClassCastException e) {
            throw new TorchFileException(source + ": the pickle is malformed (a value of the wrong kind: "
                    + e.getMessage() + ")");
        }
    }

    /** A global the pickle named, allowed by {@link #global}. */
    private record Global(String module, String name) {
        String qualified() {
            return module + "." + name;
        }
    }

    private Object run() {
        while (true) {
            int at = data.position();
            int opcode = data.get() & 0xff;
            switch (opcode) {
                case 0x80 -> protocol(data.get() & 0xff);
                case 0x95 -> data.getLong(); // FRAME: a hint for buffering
                case '.' -> {
                    return pop();
                }
                case '(' -> marks.add(stack.size());
                case '0' -> pop();
                case '1' -> popMark();
                case '2' -> push(top());
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'K' -> push((long) (data.get() & 0xff));
                case 'M' -> push((long) (data.getShort() & 0xffff));
                case 'J' -> push((long) data.getInt());
                case 0x8a -> push(longOfBytes(data.get() & 0xff, at));
                case 0x8b -> push(longOfBytes(length(data.getInt(), at), at));
                case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(data.getLong()))); // big-endian
                case 'X' -> push(string(length(data.getInt(), at), StandardCharsets.UTF_8));
                case 0x8c -> push(string(data.get() & 0xff, StandardCharsets.UTF_8));
                case 'T' -> push(string(length(data.getInt(), at), StandardCharsets.ISO_8859_1));
                case 'U' -> push(string(data.get() & 0xff, StandardCharsets.ISO_8859_1));
                case 'B' -> push(bytes(length(data.getInt(), at)));
                case 'C' -> push(bytes(data.get() & 0xff));
                case '}' -> push(new LinkedHashMap<>());
                case ']' -> push(new ArrayList<>());
                case ')' -> push(Collections.unmodifiableList(new ArrayList<>()));
                case 'd' -> push(dictOf(popMark()));
                case 'l' -> push(new ArrayList<>(popMark()));
                case 't' -> push(Collections.unmodifiableList(popMark()));
                case 0x85 -> push(tuple(1));
                case 0x86 -> push(tuple(2));
                case 0x87 -> push(tuple(3));
                case 's' -> {
                    Object value = pop();
                    Object key = pop();
                    map(top(), at).put(key, value);
                }
                case 'u' -> {
                    List<Object> items = popMark();
                    Map<Object, Object> map = map(top(), at);
                    for (int i = 0; i + 1 < items.size(); i += 2) {
                        map.put(items.get(i), items.get(i + 1));
                    }
                }
                case 'a' -> {
                    Object item = pop();
                    list(top(), at).add(item);
                }
                case 'e' -> {
                    List<Object> items = popMark();
                    list(top(), at).addAll(items);
                }
                case 'q' -> memo.put((long) (data.get() & 0xff), top());
                case 'r' -> memo.put(data.getInt() & 0xffffffffL, top());
                case 0x94 -> memo.put((long) memo.size(), top());
                case 'h' -> push(memo(data.get() & 0xff, at));
                case 'j' -> push(memo(data.getInt() & 0xffffffffL, at));
                case 'c' -> push(global(line(), line()));
                case 0x93 -> {
                    String name = (String) pop();
                    String module = (String) pop();
                    push(global(module, name));
                }
                case 'Q' -> push(persistentLoad(pop()));
                case 'R' -> {
                    List<?> arguments = (List<?>) pop();
                    push(call(pop(), arguments, at));
                }
                case 'b' -> {
                    pop();
                    if (!orderedDicts.contains(top())) {
                        throw new TorchFileException(source + ": refused: the pickle sets the state of an object"
                                + " (BUILD at byte " + at + "), which a file of tensors does not need");
                    }
                }
                default -> throw new TorchFileException(String.format(
                        "%s: pickle opcode 0x%02x at byte %d is not one that torch.save writes for tensors and plain"
                                + " data; the file is refused", source, opcode, at));
            }
        }
    }

    private void protocol(int version) {
        if (version > HIGHEST_PROTOCOL) {
            throw new TorchFileException(source + ": pickle protocol " + version + " is newer than " + HIGHEST_PROTOCOL);
        }
    }

    private Object global(String module, String name) {
        Global global = new Global(module, name);
        if (CALLABLES.contains(global.qualified()) || storageType(global) != null) {
            return global;
        }
        throw new TorchFileException(source + ": refused: its pickle refers to '" + global.qualified()
                + "'. diffarm reads torch files without running them and accepts only tensors, dicts, lists and"
                + " plain values (the globals " + REBUILD_TENSOR + ", " + REBUILD_PARAMETER + ", " + ORDERED_DICT
                + " and torch's storage types)");
    }

    private static StorageType storageType(Global global) {
        if (!global.module().equals("torch")) {
            return null;
        }
        for (StorageType type : StorageType.values()) {
            if (type.className().equals(global.name())) {
                return type;
            }
        }
        return null;
    }

    /** torch's persistent id of a storage: {@code ('storage', torch.FloatStorage, key, location, numel)}. */
    private Storage persistentLoad(Object id) {
        if (id instanceof List<?> fields && fields.size() == 5 && "storage".equals(fields.get(0))
                && fields.get(1) instanceof Global global && storageType(global) != null
                && fields.get(2) instanceof String key && fields.get(4) instanceof Long numel && numel >= 0) {
            return new Storage(storageType(global), key, numel);
        }
        throw new TorchFileException(source + ": refused: a persistent id other than a torch storage: " + id);
    }

    private Object call(Object callable, List<?> arguments, int at) {
        if (!(callable instanceof Global global) || !CALLABLES.contains(global.qualified())) {
            throw new TorchFileException(source + ": refused: the pickle calls " + callable + " (REDUCE at byte " + at
                    + "); only " + CALLABLES + " are read");
        }
        switch (global.qualified()) {
            case ORDERED_DICT -> {
                if (!arguments.isEmpty()) {
                    throw new TorchFileException(source + ": OrderedDict called with arguments at byte " + at);
                }
                Map<Object, Object> map = new LinkedHashMap<>();
                orderedDicts.add(map);
                return map;
            }
            case REBUILD_PARAMETER -> {
                return tensorArgument(arguments, at);
            }
            default -> {
                return rebuildTensor(arguments, at);
            }
        }
    }

    /** {@code _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, backward_hooks[, metadata])}. */
    private TorchTensor rebuildTensor(List<?> arguments, int at) {
        if (arguments.size() < 4 || !(arguments.get(0) instanceof Storage storage)
                || !(arguments.get(1) instanceof Long offset)) {
            throw new TorchFileException(source + ": malformed tensor at byte " + at + ": " + arguments);
        }
        long[] shape = longs(arguments.get(2), at);
        long[] stride = longs(arguments.get(3), at);
        if (shape.length != stride.length) {
            throw new TorchFileException(source + ": tensor at byte " + at + " has " + shape.length + " sizes but "
                    + stride.length + " strides");
        }
        return new TorchTensor(storage, offset, shape, stride);
    }

    private TorchTensor tensorArgument(List<?> arguments, int at) {
        if (arguments.isEmpty() || !(arguments.get(0) instanceof TorchTensor tensor)) {
            throw new TorchFileException(source + ": malformed parameter at byte " + at + ": " + arguments);
        }
        return tensor;
    }

    private long[] longs(Object tuple, int at) {
        if (!(tuple instanceof List<?> items)) {
            throw new TorchFileException(source + ": expected a tuple of sizes at byte " + at + ", got " + tuple);
        }
        long[] values = new long[items.size()];
        for (int i = 0; i < values.length; i++) {
            if (!(items.get(i) instanceof Long value) || value < 0) {
                throw new TorchFileException(source + ": expected sizes at byte " + at + ", got " + items);
            }
            values[i] = value;
        }
        return values;
    }

    private long longOfBytes(int count, int at) {
        if (count > 8) {
            throw new TorchFileException(source + ": an integer of " + count + " bytes at byte " + at + " is too large");
        }
        long value = 0;
        for (int i = 0; i < count; i++) {
            value |= (data.get() & 0xffL) << (8 * i);
        }
        if (count > 0 && count < 8 && (value & (1L << (8 * count - 1))) != 0) {
            value -= 1L << (8 * count);
        }
        return value;
    }

    private int length(int length, int at) {
        if (length < 0 || length > data.remaining()) {
            throw new TorchFileException(source + ": length " + length + " at byte " + at + " runs past the pickle");
        }
        return length;
    }

    private String string(int length, Charset charset) {
        return new String(bytes(length), charset);
    }

    private byte[] bytes(int length) {
        byte[] bytes = new byte[length];
        data.get(bytes);
        return bytes;
    }

    /** A line of the GLOBAL opcode: ASCII up to a newline. */
    private String line() {
        StringBuilder line = new StringBuilder();
        byte b;
        while ((b = data.get()) != '\n') {
            line.append((char) (b & 0xff));
        }
        return line.toString();
    }

    private List<Object> tuple(int size) {
        List<Object> items = new ArrayList<>(stack.subList(stack.size() - size, stack.size()));
        stack.subList(stack.size() - size, stack.size()).clear();
        return Collections.unmodifiableList(items);
    }

    private static Map<Object, Object> dictOf(List<Object> items) {
        Map<Object, Object> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < items.size(); i += 2) {
            map.put(items.get(i), items.get(i + 1));
        }
        return map;
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> map(Object target, int at) {
        if (target instanceof Map<?, ?> map) {
            return (Map<Object, Object>) map;
        }
        throw new TorchFileException(source + ": SETITEM on a " + kind(target) + " at byte " + at);
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object target, int at) {
        if (target instanceof ArrayList<?> list) {
            return (List<Object>) list;
        }
        throw new TorchFileException(source + ": APPEND on a " + kind(target) + " at byte " + at);
    }

    private static String kind(Object value) {
        return value == null ? "None" : value.getClass().getSimpleName();
    }

    private Object memo(long index, int at) {
        if (!memo.containsKey(index)) {
            throw new TorchFileException(source + ": memo entry " + index + " read at byte " + at + " was never stored");
        }
        return memo.get(index);
    }

    private void push(Object value) {
        stack.add(value);
    }

    private Object pop() {
        return stack.remove(stack.size() - 1);
    }

    private Object top() {
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() {
        int mark = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(mark, stack.size()));
        stack.subList(mark, stack.size()).clear();
        return items;
    }
}
