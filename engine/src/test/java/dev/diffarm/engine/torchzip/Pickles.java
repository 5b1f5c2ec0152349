package dev.diffarm.engine.torchzip;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Pickle bytes written opcode by opcode, and torch zip files around them, for tests. */
final class Pickles {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Pickles raw(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    Pickles protocol2() {
        return raw(0x80, 2);
    }

    Pickles global(String module, String name) {
        raw('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        return this;
    }

    Pickles string(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        raw('X', utf8.length, 0, 0, 0);
        out.writeBytes(utf8);
        return this;
    }

    Pickles smallInt(int value) {
        return raw('K', value);
    }

    Pickles mark() {
        return raw('(');
    }

    Pickles tuple() {
        return raw('t');
    }

    Pickles emptyTuple() {
        return raw(')');
    }

    Pickles emptyDict() {
        return raw('}');
    }

    Pickles setItems() {
        return raw('u');
    }

    Pickles reduce() {
        return raw('R');
    }

    Pickles persistentId() {
        return raw('Q');
    }

    Pickles stop() {
        return raw('.');
    }

    /**
     * {@code _rebuild_tensor_v2(storage(type, key, numel), offset, shape, stride, False, OrderedDict())} for
     * shapes of two dimensions.
     */
    Pickles tensor(String storageType, String key, int numel, int offset, int[] shape, int[] stride) {
        global("torch._utils", "_rebuild_tensor_v2").mark();
        mark().string("storage").global("torch", storageType).string(key).string("cpu").smallInt(numel).tuple()
                .persistentId();
        smallInt(offset);
        mark().smallInt(shape[0]).smallInt(shape[1]).tuple();
        mark().smallInt(stride[0]).smallInt(stride[1]).tuple();
        raw(0x89).global("collections", "OrderedDict").emptyTuple().reduce();
        return tuple().reduce();
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** A torch zip file: {@code archive/data.pkl} and {@code archive/data/<key>} for each storage. */
    static Path zip(Path file, byte[] pickle, Map<String, byte[]> storages) throws IOException {
        try (OutputStream stream = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(stream)) {
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            zip.write(pickle);
            for (Map.Entry<String, byte[]> storage : storages.entrySet()) {
                zip.putNextEntry(new ZipEntry("archive/data/" + storage.getKey()));
                zip.write(storage.getValue());
            }
            zip.putNextEntry(new ZipEntry("archive/version"));
            zip.write("3\n".getBytes(StandardCharsets.US_ASCII));
        }
        return file;
    }
}
