package dev.diffarm.engine.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ControlNets of a request's units for one run, each leased once from a {@link ControlNetSource} (a model two
 * units name is one lease). Closing ends the leases.
 */
final class LoadedControlNets implements AutoCloseable {
    private final Map<ModelKey, ControlNetSource.Lease> models = new LinkedHashMap<>();
    private final List<ControlSignal.Unit> units = new ArrayList<>();

    private record ModelKey(Path model, Optional<Path> config) {
    }

    /** @throws dev.diffarm.engine.model.ModelLoadException for a ControlNet that cannot be read, naming it */
    LoadedControlNets(List<ControlUnit> requested, ControlNetSource source) {
        try {
            for (ControlUnit unit : requested) {
                ControlNetSource.Lease model = models.computeIfAbsent(new ModelKey(unit.model(), unit.config()),
                        key -> source.lease(key.model(), key.config()));
                units.add(new ControlSignal.Unit(unit, model.controlNet()));
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
        models.values().forEach(ControlNetSource.Lease::close);
    }
}
