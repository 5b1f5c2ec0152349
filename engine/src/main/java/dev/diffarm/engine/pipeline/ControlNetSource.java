package dev.diffarm.engine.pipeline;

import dev.diffarm.engine.device.Placement;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a run's ControlNets come from. {@link #loadPerRun} loads each for the run and frees it after (the CLI); a
 * long-lived caller (the farm's worker) keeps them loaded between runs by handing out leases that do not free them.
 */
@FunctionalInterface
public interface ControlNetSource {
    /** Every ControlNet loaded from its file for the run onto {@code placement} (its model's), freed when it ends. */
    static ControlNetSource loadPerRun(Placement placement) {
        return (model, config) -> {
            ControlNet loaded = ControlNet.load(model, config, placement);
            return new Lease() {
                @Override
                public ControlNet controlNet() {
                    return loaded;
                }

                @Override
                public void close() {
                    loaded.close();
                }
            };
        };
    }

    /**
     * The ControlNet of a unit, in use until the lease is closed.
     *
     * @param model  a diffusers folder or a single {@code .safetensors} file in the original layout
     * @param config a diffusers config.json describing it (or a folder holding one); empty for its own
     * @throws dev.diffarm.engine.model.ModelLoadException for a ControlNet that cannot be read, naming it
     */
    Lease lease(Path model, Optional<Path> config);

    /** A ControlNet lent for one run. */
    interface Lease extends AutoCloseable {
        ControlNet controlNet();

        /** Ends the use: frees the ControlNet, or leaves it to the source that keeps it. */
        @Override
        void close();
    }
}
