package dev.diffarm.engine.torchzip;

import dev.diffarm.engine.safetensors.Float16;
import dev.diffarm.engine.torchzip.TorchTensor.StorageType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * A file written by {@code torch.save} (the zip format of torch 1.6 and later: {@code <name>/data.pkl} and
 * one {@code <name>/data/<key>} entry per storage), read without running its pickle: the object tree comes
 * from {@link RestrictedUnpickler}, and tensor values are read on demand with {@link #floats}.
 */
public final class TorchArchive implements AutoCloseable {
    /** A pickle of plain data this large is not a file of embeddings or weights' metadata. */
    private static final long MAX_PICKLE_BYTES = 64L << 20;

    private final Path path;
    private final ZipFile zip;
    private final String prefix;
    private final Object root;

    private TorchArchive(Path path, ZipFile zip, String prefix, Object root) {
        this.path = path;
        this.zip = zip;
        this.prefix = prefix;
        this.root = root;
    }

    /**
     * Opens {@code path} and reads its pickle.
     *
     * @throws TorchFileException if it is not a torch zip file, or its pickle holds anything but data
     */
    public static TorchArchive open(Path path) {
        ZipFile zip;
        try {
            zip = new ZipFile(path.toFile());
        } catch (ZipException e) {
            throw new TorchFileException(path + ": not a torch zip file (as torch.save writes since torch 1.6;"
                    + " the older format is not read)");
        } catch (IOException e) {
            throw new TorchFileException("cannot read " + path + ": " + e.getMessage(), e);
        }
        try {
            String prefix = prefix(path, zip);
            byte[] pickle = read(path, zip, prefix + "data.pkl", MAX_PICKLE_BYTES);
            ZipEntry byteOrder = zip.getEntry(prefix + "byteorder");
            if (byteOrder != null && !new String(read(path, zip, byteOrder.getName(), 16), StandardCharsets.US_ASCII)
                    .strip().equals("little")) {
                throw new TorchFileException(path + ": stored big-endian, which is not read");
            }
            return new TorchArchive(path, zip, prefix, RestrictedUnpickler.read(pickle, path.toString()));
        } catch (RuntimeException e) {
            closeQuietly(zip, e);
            throw e;
        }
    }

    /** The unpickled object: maps, lists, plain values and {@link TorchTensor}s. */
    public Object root() {
        return root;
    }

    /**
     * The values of a floating-point tensor of this archive as float32, in row-major order.
     *
     * @throws TorchFileException if it is not floating point or its view runs outside its storage
     */
    public float[] floats(TorchTensor tensor) {
        StorageType type = tensor.storage().type();
        if (!type.isFloatingPoint()) {
            throw new TorchFileException(path + ": tensor " + tensor + " holds " + type + " values, not floating point");
        }
        long numel = tensor.numel();
        if (numel > Integer.MAX_VALUE - 8) {
            throw new TorchFileException(path + ": tensor " + tensor + " is too large to read here");
        }
        float[] storage = storageFloats(tensor.storage());
        float[] out = new float[(int) numel];
        long[] shape = tensor.shape();
        long[] index = new long[shape.length];
        for (int i = 0; i < out.length; i++) {
            long at = tensor.offset();
            for (int d = 0; d < shape.length; d++) {
                at += index[d] * tensor.stride()[d];
            }
            if (at < 0 || at >= storage.length) {
                throw new TorchFileException(path + ": tensor " + tensor + " reaches element " + at + " of a storage of "
                        + storage.length);
            }
            out[i] = storage[(int) at];
            for (int d = shape.length - 1; d >= 0 && ++index[d] == shape[d]; d--) {
                index[d] = 0;
            }
        }
        return out;
    }

    private float[] storageFloats(TorchTensor.Storage storage) {
        long bytes = storage.numel() * storage.type().bytes();
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new TorchFileException(path + ": storage " + storage.key() + " is too large to read here");
        }
        String entry = prefix + "data/" + storage.key();
        byte[] raw = read(path, zip, entry, bytes);
        if (raw.length != bytes) {
            throw new TorchFileException(path + ": storage " + entry + " has " + raw.length + " bytes, expected "
                    + bytes + " for " + storage.numel() + " " + storage.type() + " values");
        }
        ByteBuffer buffer = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) storage.numel();
        float[] values = new float[n];
        switch (storage.type()) {
            case FLOAT -> buffer.asFloatBuffer().get(values);
            case HALF -> Float16.widenF16(buffer, n, FloatBuffer.wrap(values));
            case BFLOAT16 -> Float16.widenBf16(buffer, n, FloatBuffer.wrap(values));
            case DOUBLE -> {
                for (int i = 0; i < n; i++) {
                    values[i] = (float) buffer.getDouble(i * 8);
                }
            }
            default -> throw new AssertionError(storage.type());
        }
        return values;
    }

    /** The folder all entries sit in: the one holding {@code data.pkl}. */
    private static String prefix(Path path, ZipFile zip) {
        List<String> pickles = new ArrayList<>();
        for (ZipEntry entry : Collections.list(zip.entries())) {
            String name = entry.getName();
            int slash = name.indexOf('/');
            if (slash > 0 && name.indexOf('/', slash + 1) < 0 && name.endsWith("/data.pkl")) {
                pickles.add(name);
            }
        }
        if (pickles.size() != 1) {
            throw new TorchFileException(path + ": a torch zip file has one <name>/data.pkl; found " + pickles);
        }
        String pickle = pickles.get(0);
        return pickle.substring(0, pickle.length() - "data.pkl".length());
    }

    /** Entry {@code name}, up to {@code limit} bytes (one more is read to tell a larger entry). */
    private static byte[] read(Path path, ZipFile zip, String name, long limit) {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new TorchFileException(path + ": has no entry " + name);
        }
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] bytes = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
            if (bytes.length > limit) {
                throw new TorchFileException(path + ": entry " + name + " is larger than " + limit + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            throw new TorchFileException("cannot read " + name + " of " + path + ": " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(ZipFile zip, RuntimeException failure) {
        try {
            zip.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    @Override
    public void close() {
        try {
            zip.close();
        } catch (IOException e) {
            throw new TorchFileException("cannot close " + path + ": " + e.getMessage(), e);
        }
    }
}
