package dev.diffarm.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.diffarm.api.finetune.TrainedUNet;
import dev.diffarm.engine.model.ModelFiles;
import dev.diffarm.engine.model.TensorSource;
import dev.diffarm.engine.unet.UNet2DConditionModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The engine's UNet trained in place (DreamBooth), saved as a {@link DreamBoothCheckpoint}. */
final class HostUNet implements TrainedUNet {
    private final UNet2DConditionModel unet;
    private final Path base;

    /** Marks every tensor of {@code unet} as trained. */
    HostUNet(UNet2DConditionModel unet, Path base) {
        this.unet = unet;
        this.base = base;
        for (NDArray p : unet.parameters().values()) {
            p.setRequiresGradient(true);
        }
    }

    @Override
    public Map<String, NDArray> parameters() {
        return unet.parameters();
    }

    @Override
    public void changed() {
        unet.parametersChanged();
    }

    @Override
    public void release() {
        for (NDArray p : unet.parameters().values()) {
            p.setRequiresGradient(false);
        }
    }

    @Override
    public void write(Path out, Map<String, String> metadata) throws IOException {
        try (ModelFiles files = ModelFiles.open(base, Optional.empty())) {
            DreamBoothCheckpoint.write(files, unet, metadata, out);
        }
    }

    @Override
    public Map<String, NDArray> read(Path file, NDManager manager) {
        try (ModelFiles files = ModelFiles.open(file, Optional.of(base))) {
            TensorSource tensors = files.unet().tensors();
            Map<String, NDArray> out = new LinkedHashMap<>();
            for (String key : tensors.keys()) {
                out.put(key, tensors.load(key, manager));
            }
            return out;
        }
    }
}
