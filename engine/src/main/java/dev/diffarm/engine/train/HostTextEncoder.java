package dev.diffarm.engine.train;

import ai.djl.ndarray.NDArray;
import dev.diffarm.api.finetune.TrainedTextEncoder;
import dev.diffarm.engine.clip.ClipTextModel;
import dev.diffarm.engine.model.LayerIndex;
import java.util.Map;

/** The engine's text encoder trained in place (DreamBooth's {@code --train_text_encoder}). */
final class HostTextEncoder implements TrainedTextEncoder {
    private final ClipTextModel textModel;
    private final LayerIndex layers;

    /** Marks every tensor of {@code textModel} as trained. */
    HostTextEncoder(ClipTextModel textModel, LayerIndex layers) {
        this.textModel = textModel;
        this.layers = layers;
        TrainedArrays.mark(textModel.parameters().values(), true);
    }

    @Override
    public Map<String, NDArray> parameters() {
        return textModel.parameters();
    }

    @Override
    public void changed() {
        for (String path : layers.paths()) {
            layers.find(path).orElseThrow().loadedValuesChanged();
        }
    }

    @Override
    public void release() {
        TrainedArrays.mark(textModel.parameters().values(), false);
    }
}
