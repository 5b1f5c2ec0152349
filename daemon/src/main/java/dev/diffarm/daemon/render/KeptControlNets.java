package dev.diffarm.daemon.render;

import dev.diffarm.engine.device.Placement;
import dev.diffarm.engine.pipeline.ControlNet;
import dev.diffarm.engine.pipeline.ControlNetSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * One worker's ControlNets, kept loaded between its renders: a render whose units name a ControlNet loaded for an
 * earlier one starts at once. At most {@code kept} of them stay loaded while no render uses them, the least recently
 * used freed first; one in use is never freed. A file replaced on disk (another modification time or size) is loaded
 * again.
 */
public final class KeptControlNets implements ControlNetSource, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KeptControlNets.class);

    /** The weights of a diffusers ControlNet folder, whose stamp stands for the folder's. */
    private static final String DIFFUSERS_WEIGHTS = "diffusion_pytorch_model.safetensors";

    private final int kept;
    private final Placement placement;
    /** The loaded ControlNets, least recently leased first. */
    private final LinkedHashMap<Key, Entry> loaded = new LinkedHashMap<>(16, 0.75f, true);

    /** A ControlNet as it lies on disk now: its path, config and the file's stamp. */
    private record Key(Path model, Optional<Path> config, FileTime modified, long size) {
    }

    private static final class Entry {
        final ControlNet controlNet;
        int users;

        Entry(ControlNet controlNet) {
            this.controlNet = controlNet;
        }
    }

    /** @param kept how many ControlNets no render uses stay loaded, at least 0; on the CPU in float32 */
    public KeptControlNets(int kept) {
        this(kept, Placement.cpu());
    }

    /**
     * @param kept      how many ControlNets no render uses stay loaded, at least 0
     * @param placement where they are loaded: the worker's models' device and precision
     */
    public KeptControlNets(int kept, Placement placement) {
        if (kept < 0) {
            throw new IllegalArgumentException("kept = " + kept + ": expected 0 or more ControlNets");
        }
        this.kept = kept;
        this.placement = placement;
    }

    @Override
    public synchronized Lease lease(Path model, Optional<Path> config) {
        Key key = key(model, config);
        Entry entry = loaded.get(key);
        if (entry == null) {
            long start = System.nanoTime();
            entry = new Entry(ControlNet.load(model, config, placement));
            loaded.put(key, entry);
            LOG.infof("loaded ControlNet %s in %.1f s", model, (System.nanoTime() - start) / 1e9);
        }
        entry.users++;
        Entry leased = entry;
        return new Lease() {
            private boolean closed;

            @Override
            public ControlNet controlNet() {
                return leased.controlNet;
            }

            @Override
            public void close() {
                synchronized (KeptControlNets.this) {
                    if (!closed) {
                        closed = true;
                        leased.users--;
                        trim();
                    }
                }
            }
        };
    }

    /** The paths of the ControlNets loaded now, least recently used first. */
    public synchronized List<Path> loaded() {
        List<Path> paths = new ArrayList<>();
        loaded.keySet().forEach(key -> paths.add(key.model()));
        return paths;
    }

    /** Frees the least recently used idle ControlNets beyond {@code kept}. */
    private void trim() {
        long idle = loaded.values().stream().filter(entry -> entry.users == 0).count();
        for (Iterator<Map.Entry<Key, Entry>> it = loaded.entrySet().iterator(); it.hasNext() && idle > kept; ) {
            Map.Entry<Key, Entry> next = it.next();
            if (next.getValue().users == 0) {
                LOG.infof("freeing ControlNet %s", next.getKey().model());
                next.getValue().controlNet.close();
                it.remove();
                idle--;
            }
        }
    }

    @Override
    public synchronized void close() {
        loaded.values().forEach(entry -> entry.controlNet.close());
        loaded.clear();
    }

    /** The key of the ControlNet at {@code model}; a file that cannot be stat'ed is left to the load to report. */
    private static Key key(Path model, Optional<Path> config) {
        Path file = Files.isDirectory(model) ? model.resolve(DIFFUSERS_WEIGHTS) : model;
        try {
            return new Key(model, config, Files.getLastModifiedTime(file), Files.size(file));
        } catch (IOException e) {
            return new Key(model, config, FileTime.fromMillis(0), -1);
        }
    }
}
