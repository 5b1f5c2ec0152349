package dev.diffarm.engine.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.diffarm.engine.model.ModelFiles;
import java.util.Optional;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import org.junit.jupiter.api.Test;

class ClipTextModelParityTest {
    @Test
    void hiddenStatesMatchTransformersForEveryPromptAndClipSkip() {
        try (NDManager manager = NDManager.newBaseManager();
             SafetensorsFile ref = SafetensorsFile.open(Fixtures.sdTiny("text.safetensors"));
            ModelFiles files = ModelFiles.open(Fixtures.sdTiny("model"), Optional.empty())) {
            Weights w = new Weights(files.textEncoder().tensors(), manager);
            ClipTextModel model = new ClipTextModel(w, files.textEncoder().config());
            w.finish();
            for (int p = 0; p < 5; p++) {
                NDArray ids = manager.create(ref.longs("prompt" + p + ".ids")).reshape(1, -1);
                Parity.assertClose("text prompt" + p, ref.floats("prompt" + p + ".hidden"), model.encode(ids, 1).toFloatArray(), 1e-4);
                Parity.assertClose("text prompt" + p + " clip skip 2", ref.floats("prompt" + p + ".hidden_clip_skip2"),
                        model.encode(ids, 2).toFloatArray(), 1e-4);
            }
        }
    }
}
