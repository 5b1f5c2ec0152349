package dev.diffarm.daemon.render;

import dev.diffarm.engine.device.Placement;
import dev.diffarm.engine.pipeline.ControlNet;
import dev.diffarm.engine.pipeline.ControlNetSource;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * One worker's ControlNets, kept loaded between its renders in its {@link LoadedWeights}: a render whose units name a
 * ControlNet loaded for an earlier one starts at once. They share the worker's one budget with its models and upscaler
 * networks (a ControlNet's estimate is the size of its weight file); one in use is never freed. A file replaced on disk
 * (another modification time or size) is loaded again.
 */
public final class KeptControlNets implements ControlNetSource {
    private static final Logger LOG = Logger.getLogger(KeptControlNets.class);

    private final LoadedWeights weights;
    private final Placement placement;

    /** @param weights the worker's loaded weights, where the ControlNets are kept (on the CPU in float32) */
    public KeptControlNets(LoadedWeights weights) {
        this(weights, Placement.cpu());
    }

    /**
     * @param weights   the worker's loaded weights, where the ControlNets are kept
     * @param placement where they are loaded: the worker's models' device and precision
     */
    public KeptControlNets(LoadedWeights weights, Placement placement) {
        this.weights = weights;
        this.placement = placement;
    }

    @Override
    public Lease lease(Path model, Optional<Path> config) {
        LoadedWeights.WeightFiles files;
        try {
            files = LoadedWeights.files(model);
        } catch (UncheckedIOException unreadable) {
            // left to the load to report, naming the ControlNet
            files = new LoadedWeights.WeightFiles(0, "unreadable");
        }
        LoadedWeights.Key key = new LoadedWeights.Key(LoadedWeights.Kind.CONTROLNET, model.toString(),
                config.map(path -> "config " + path + ";").orElse("") + files.stamp());
        LoadedWeights.Lease<ControlNet> held = weights.use(key, files.bytes(), () -> {
            long start = System.nanoTime();
            ControlNet loaded = ControlNet.load(model, config, placement);
            LOG.infof("loaded ControlNet %s in %.1f s", model, (System.nanoTime() - start) / 1e9);
            return loaded;
        });
        return new Lease() {
            @Override
            public ControlNet controlNet() {
                return held.value();
            }

            @Override
            public void close() {
                held.close();
            }
        };
    }

    /** The paths of the ControlNets loaded now, least recently used first. */
    public List<Path> loaded() {
        return weights.names(LoadedWeights.Kind.CONTROLNET).stream().map(Path::of).toList();
    }
}
