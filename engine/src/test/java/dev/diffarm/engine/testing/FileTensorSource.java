package dev.diffarm.engine.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.diffarm.engine.model.TensorSource;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import java.nio.file.Path;
import java.util.Set;

/** A diffusers component file as a TensorSource, for the layer parity tests. */
public final class FileTensorSource implements TensorSource {
    private final SafetensorsFile file;

    public FileTensorSource(Path path) {
        this.file = SafetensorsFile.open(path);
    }

    @Override
    public Set<String> keys() {
        return file.names();
    }

    @Override
    public long[] shape(String key) {
        return file.info(key).shape();
    }

    @Override
    public NDArray load(String key, NDManager manager) {
        return file.load(key, manager);
    }

    @Override
    public String describe() {
        return file.path().toString();
    }
}
