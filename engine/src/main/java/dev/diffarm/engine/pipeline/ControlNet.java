package dev.diffarm.engine.pipeline;

import ai.djl.ndarray.NDManager;
import dev.diffarm.engine.device.Placement;
import dev.diffarm.engine.image.ModelHash;
import dev.diffarm.engine.model.ControlNetFiles;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.unet.ControlNetModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A loaded ControlNet with the name and hash sd-webui-controlnet shows for it ({@code name [hash8]}). The weights
 * live in its own manager until {@link #close}.
 */
public final class ControlNet implements AutoCloseable {
    private final Path path;
    private final NDManager manager;
    private final ControlNetModel model;
    private final String hash;

    private ControlNet(Path path, NDManager manager, ControlNetModel model, String hash) {
        this.path = path;
        this.manager = manager;
        this.model = model;
        this.hash = hash;
    }

    /**
     * Loads a diffusers ControlNet folder or a single {@code .safetensors} file in the original layout.
     *
     * @param config a diffusers config.json (or a folder holding one) that describes it; empty for the folder's own
     *               or the file's shapes
     * @throws dev.diffarm.engine.model.ModelLoadException naming the file and what was expected
     */
    public static ControlNet load(Path path, Optional<Path> config) {
        return load(path, config, Placement.cpu());
    }

    /** As {@link #load(Path, Optional)}, onto {@code placement}: the device and precision of the model it guides. */
    public static ControlNet load(Path path, Optional<Path> config, Placement placement) {
        try (ControlNetFiles files = ControlNetFiles.open(path, config)) {
            NDManager manager = placement.newManager();
            try {
                Weights weights = new Weights(files.tensors(), manager, placement.computeType());
                ControlNetModel model = new ControlNetModel(weights, files.config());
                weights.finish();
                return new ControlNet(path, manager, model, ModelHash.legacyHash(path));
            } catch (IOException e) {
                manager.close();
                throw new UncheckedIOException("reading ControlNet " + path, e);
            } catch (RuntimeException e) {
                manager.close();
                throw e;
            }
        }
    }

    public ControlNetModel model() {
        return model;
    }

    public Path path() {
        return path;
    }

    /** Its name as sd-webui-controlnet lists it: the file name without extension, or the folder's name. */
    public String name() {
        String file = path.getFileName().toString();
        int dot = file.lastIndexOf('.');
        return dot > 0 && !java.nio.file.Files.isDirectory(path) ? file.substring(0, dot) : file;
    }

    /** A1111's 8-digit hash of the file ({@link ModelHash#legacyHash}). */
    public String hash() {
        return hash;
    }

    @Override
    public void close() {
        manager.close();
    }
}
