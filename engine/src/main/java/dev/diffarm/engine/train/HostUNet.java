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
import java.util.function.Supplier;

/** The engine's UNet trained in place (DreamBooth), saved as a {@link DreamBoothCheckpoint}. */
final class HostUNet implements TrainedUNet {
    private final UNet2DConditionModel unet;
    private final Path base;
    private final Supplier<Map<String, NDArray>> trainedText;

    /**
     * Marks every tensor of {@code unet} as trained.
     *
     * @param trainedText the text encoder's tensors if the run trains it, else none: the checkpoint holds them
     */
    HostUNet(UNet2DConditionModel unet, Path base, Supplier<Map<String, NDArray>> trainedText) {
        this.unet = unet;
        this.base = base;
        this.trainedText = trainedText;
        TrainedArrays.mark(unet.parameters().values(), true);
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
        TrainedArrays.mark(unet.parameters().values(), false);
    }

    @Override
    public void write(Path out, Map<String, String> metadata) throws IOException {
        try (ModelFiles files = ModelFiles.open(base, Optional.empty())) {
            DreamBoothCheckpoint.write(files, unet, trainedText.get(), metadata, out);
        }
    }

    /** The checkpoint's UNet and, when the run trains it, its text encoder, by diffusers key. */
    @Override
    public Map<String, NDArray> read(Path file, NDManager manager) {
        try (ModelFiles files = ModelFiles.open(file, Optional.of(base))) {
            Map<String, NDArray> out = new LinkedHashMap<>();
            readAll(files.unet().tensors(), manager, out);
            if (!trainedText.get().isEmpty()) {
                readAll(files.textEncoder().tensors(), manager, out);
            }
            return out;
        }
    }

    private static void readAll(TensorSource tensors, NDManager manager, Map<String, NDArray> out) {
        for (String key : tensors.keys()) {
            out.put(key, tensors.load(key, manager));
        }
    }
}
