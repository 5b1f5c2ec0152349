package dev.diffarm.daemon.job;

import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.port.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** A state a long task saved completely (see {@link TaskState}): the step it was saved after, and its parts. */
public final class SavedState {
    private final OutputStore store;
    private final String slotPrefix;
    private final long step;
    private final List<String> parts;

    SavedState(OutputStore store, String slotPrefix, long step, List<String> parts) {
        this.store = store;
        this.slotPrefix = slotPrefix;
        this.step = step;
        this.parts = List.copyOf(parts);
    }

    /** The step the task had done when it saved this state; it goes on with the next one. */
    public long step() {
        return step;
    }

    /** The names of the parts, in the order they were stored. */
    public List<String> parts() {
        return parts;
    }

    /** The content of the part {@code name}. */
    public byte[] read(String name) {
        try (InputStream in = open(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new StoreException("cannot read " + slotPrefix + name + " from " + store.location() + ": " + e, e);
        }
    }

    /** The content of the part {@code name}, streamed from the store; the caller closes it. */
    public InputStream open(String name) {
        if (!parts.contains(name)) {
            throw new IllegalArgumentException("part = \"" + name + "\": the state of step " + step + " has " + parts);
        }
        String key = slotPrefix + name;
        return store.open(key).orElseThrow(() -> new StoreException(key + ", a part of the state of step " + step
                + ", is missing from " + store.location(), null));
    }

    @Override
    public String toString() {
        return "state of step " + step + " at " + slotPrefix + " " + parts;
    }
}
