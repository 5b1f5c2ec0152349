package dev.diffarm.daemon.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.diffarm.daemon.port.OutputStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The intermediate states of one long task (a training run's checkpoints), saved in the output store under the task's
 * own keys so that any daemon the job is delivered to next resumes from the last one.
 *
 * <h2>Keys</h2>
 * The last {@code keep} states are kept in {@code keep} slots, {@code <prefix>slot-0/} to {@code <prefix>slot-<keep-1>/}:
 * a save reuses the slot of the oldest state. A slot holds the state's parts, each under its name, and
 * {@value #MANIFEST}, which says the step and names the parts. Slots rather than a folder per step because the store
 * can overwrite but not delete: the states of a task of hours take {@code keep} slots, not one folder per save.
 *
 * <h2>A save cut short</h2>
 * A save first marks its slot's manifest as being written, then stores the parts, then the manifest naming them. Each
 * store is atomic, so a daemon that dies during a save leaves that slot marked, which {@link #latest()} passes over,
 * and the other {@code keep - 1} states intact. That is why {@code keep} is at least 2.
 */
public final class TaskState {
    /** The folder of a task's states under its task folder. */
    public static final String FOLDER = "state/";
    /** The name of a slot's manifest. */
    public static final String MANIFEST = "state.json";
    static final ObjectMapper JSON = new ObjectMapper();

    private final OutputStore store;
    private final String prefix;
    private final int keep;

    /**
     * @param prefix the key prefix of the task's states, ending in {@code /}
     * @param keep   how many states to keep, at least 2
     */
    public TaskState(OutputStore store, String prefix, int keep) {
        if (keep < 2) {
            throw new IllegalArgumentException("keep = " + keep + ": expected at least 2, so that a save cut short "
                    + "leaves the state before it");
        }
        if (!prefix.endsWith("/")) {
            throw new IllegalArgumentException("prefix = \"" + prefix + "\": expected a folder, ending in /");
        }
        this.store = store;
        this.prefix = prefix;
        this.keep = keep;
    }

    /** The state with the highest step among those saved completely; empty when none is (the task starts from zero). */
    public Optional<SavedState> latest() {
        return saved().stream().max(Comparator.comparingLong(SavedState::step));
    }

    /** Every state saved completely, in slot order. */
    public List<SavedState> saved() {
        List<SavedState> states = new ArrayList<>();
        for (int slot = 0; slot < keep; slot++) {
            read(slot).ifPresent(states::add);
        }
        return states;
    }

    /**
     * Starts saving the state the task has after {@code step}: store its parts with the returned {@link StateSave},
     * then {@link StateSave#commit()}. Until the commit, {@link #latest()} gives the state before.
     */
    public StateSave save(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step = " + step + ": expected 0 or more");
        }
        String slot = slotPrefix(freeSlot());
        ObjectNode writing = JSON.createObjectNode().put("writing", step);
        store.put(slot + MANIFEST, bytes(writing), "application/json");
        return new StateSave(store, slot, step);
    }

    /** The slot to write: one holding no complete state, else the one of the lowest step. */
    private int freeSlot() {
        int oldest = 0;
        long oldestStep = Long.MAX_VALUE;
        for (int slot = 0; slot < keep; slot++) {
            Optional<SavedState> state = read(slot);
            if (state.isEmpty()) {
                return slot;
            }
            if (state.get().step() < oldestStep) {
                oldest = slot;
                oldestStep = state.get().step();
            }
        }
        return oldest;
    }

    private Optional<SavedState> read(int slot) {
        String slotPrefix = slotPrefix(slot);
        return store.get(slotPrefix + MANIFEST).flatMap(manifest -> parse(manifest, slotPrefix));
    }

    /** The state a manifest describes; empty for a save cut short or a manifest that is not one. */
    private Optional<SavedState> parse(byte[] manifest, String slotPrefix) {
        try {
            JsonNode node = JSON.readTree(manifest);
            JsonNode step = node.path("step");
            JsonNode parts = node.path("parts");
            if (!step.canConvertToLong() || !parts.isArray()) {
                return Optional.empty();
            }
            List<String> names = new ArrayList<>();
            parts.forEach(part -> names.add(part.asText()));
            return Optional.of(new SavedState(store, slotPrefix, step.longValue(), names));
        } catch (IOException notJson) {
            return Optional.empty();
        }
    }

    private String slotPrefix(int slot) {
        return prefix + "slot-" + slot + "/";
    }

    static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + node, e);
        }
    }
}
