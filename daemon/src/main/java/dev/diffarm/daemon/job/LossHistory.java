package dev.diffarm.daemon.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.diffarm.daemon.gallery.LossPlot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The loss of every step of one training run, raw and smoothed, for its loss curve. It is saved with each training
 * state ({@value #PART}), so that the curve of a resumed run starts at step 1, not at the step it resumed from.
 */
final class LossHistory {
    /** The name of the history's part in a saved state. */
    static final String PART = "loss-history.json";

    private final List<LossPlot.Point> points = new ArrayList<>();

    /** The history saved with {@code state}; empty for a state saved without one. */
    static LossHistory of(SavedState state) {
        LossHistory history = new LossHistory();
        if (!state.parts().contains(PART)) {
            return history;
        }
        try {
            JsonNode node = TaskState.JSON.readTree(state.read(PART));
            for (JsonNode point : node.path("points")) {
                history.add(point.get(0).longValue(), point.get(1).doubleValue(), point.get(2).doubleValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the loss history of " + state, e);
        }
        return history;
    }

    /** Adds the loss of {@code step}; a step again (a run resumed after it) replaces what followed it. */
    void add(long step, double loss, double smoothed) {
        points.removeIf(point -> point.step() >= step);
        points.add(new LossPlot.Point(step, loss, smoothed));
    }

    List<LossPlot.Point> points() {
        return List.copyOf(points);
    }

    /** The history as JSON: {@code {"points": [[step, loss, smoothed], ...]}}. */
    byte[] toJson() {
        ObjectNode node = TaskState.JSON.createObjectNode();
        ArrayNode array = node.putArray("points");
        // a loss gone NaN is written as JSON's null and read back as 0; the plot leaves non-finite values out anyway
        points.forEach(p -> array.addArray().add(p.step()).add(p.loss()).add(p.smoothed()));
        return TaskState.bytes(node);
    }
}
