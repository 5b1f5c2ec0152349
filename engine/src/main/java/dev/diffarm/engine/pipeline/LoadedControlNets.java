package dev.diffarm.engine.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ControlNets of a request's units, loaded for one run: a model two units name is loaded once. Closing frees
 * them all.
 */
final class LoadedControlNets implements AutoCloseable {
    private final Map<ModelKey, ControlNet> models = new LinkedHashMap<>();
    private final List<ControlSignal.Unit> units = new ArrayList<>();

    private record ModelKey(Path model, Optional<Path> config) {
    }

    /** @throws dev.diffarm.engine.model.ModelLoadException for a ControlNet that cannot be read, naming it */
    LoadedControlNets(List<ControlUnit> requested) {
        try {
            for (ControlUnit unit : requested) {
                ControlNet model = models.computeIfAbsent(new ModelKey(unit.model(), unit.config()),
                        key -> ControlNet.load(key.model(), key.config()));
                units.add(new ControlSignal.Unit(unit, model));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The units in the request's order, each with its model. */
    List<ControlSignal.Unit> units() {
        return List.copyOf(units);
    }

    @Override
    public void close() {
        models.values().forEach(ControlNet::close);
    }
}
