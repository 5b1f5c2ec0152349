package dev.diffarm.daemon.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.diffarm.daemon.port.ObjectMetadata;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.port.StoreException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One save of a long task's state in progress (see {@link TaskState#save}): store each part, then {@link #commit()}.
 * A save never committed (the task failed or the daemon died while saving) is not a state: the one before stays the
 * latest.
 * <pre>{@code
 * StateSave save = run.state(3).save(step);
 * save.put("optimizer.bin", optimizerBytes);
 * try (OutputStream out = save.open("weights.safetensors")) {
 *     writer.writeTo(out);
 * }
 * save.commit();
 * }</pre>
 */
public final class StateSave {
    private static final String CONTENT_TYPE = "application/octet-stream";
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");

    private final OutputStore store;
    private final String slotPrefix;
    private final long step;
    private final List<String> parts = new ArrayList<>();
    private int open;
    private boolean committed;

    StateSave(OutputStore store, String slotPrefix, long step) {
        this.store = store;
        this.slotPrefix = slotPrefix;
        this.step = step;
    }

    /** Stores the part {@code name}. */
    public void put(String name, byte[] content) {
        store.put(slotPrefix + claim(name), content, CONTENT_TYPE);
    }

    /**
     * A stream that stores the part {@code name} when it is closed. It goes to a temporary file as it is written, and
     * from there to the store, so that a part of gigabytes (a model's weights) takes no room on the heap.
     *
     * @throws StoreException when no temporary file can be made
     */
    public OutputStream open(String name) {
        String key = slotPrefix + claim(name);
        Path file;
        OutputStream out;
        try {
            file = Files.createTempFile("diffarm-state-", ".part");
            out = Files.newOutputStream(file);
        } catch (IOException e) {
            throw new StoreException("cannot make a temporary file for " + key + ": " + e, e);
        }
        open++;
        return new PartStream(key, file, out);
    }

    /** Writes to a temporary file; on close stores it under the part's key and deletes it. */
    private final class PartStream extends OutputStream {
        private final String key;
        private final Path file;
        private final OutputStream out;
        private boolean closed;

        PartStream(String key, Path file, OutputStream out) {
            this.key = key;
            this.file = file;
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                out.close();
                store.put(key, file, ObjectMetadata.of(CONTENT_TYPE));
                open--;
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }

    /** Makes the stored parts the state of the step: from now on {@link TaskState#latest()} may give it. */
    public void commit() {
        if (committed) {
            throw new IllegalStateException("the state of step " + step + " is committed already");
        }
        if (open > 0) {
            throw new IllegalStateException(open + " part(s) of the state of step " + step + " are still open");
        }
        ObjectNode manifest = TaskState.JSON.createObjectNode().put("step", step);
        parts.forEach(manifest.putArray("parts")::add);
        store.put(slotPrefix + TaskState.MANIFEST, TaskState.bytes(manifest), "application/json");
        committed = true;
    }

    private String claim(String name) {
        if (committed) {
            throw new IllegalStateException("the state of step " + step + " is committed: no part can be added");
        }
        if (!PART.matcher(name).matches() || name.equals(TaskState.MANIFEST)) {
            throw new IllegalArgumentException("part = \"" + name + "\": expected 1 to 128 letters, digits, '.', '_' "
                    + "or '-', not starting with '.' or '-', other than " + TaskState.MANIFEST);
        }
        if (parts.contains(name)) {
            throw new IllegalArgumentException("part = \"" + name + "\": stored already in the state of step " + step);
        }
        parts.add(name);
        return name;
    }
}
