package dev.diffarm.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.diffarm.engine.model.ModelFiles;
import java.util.Optional;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import org.junit.jupiter.api.Test;

class UNetParityTest {
    @Test
    void noisePredictionMatchesDiffusersAtThreeTimesteps() {
        try (NDManager manager = NDManager.newBaseManager();
             SafetensorsFile ref = SafetensorsFile.open(Fixtures.sdTiny("unet-vae.safetensors"));
            ModelFiles files = ModelFiles.open(Fixtures.sdTiny("model"), Optional.empty())) {
            Weights w = new Weights(files.unet().tensors(), manager);
            UNet2DConditionModel unet = new UNet2DConditionModel(w, files.unet().config());
            w.finish();
            NDArray latent = ref.load("unet.latent", manager);
            NDArray context = ref.load("unet.context", manager);
            for (int t : new int[] {999, 500, 1}) {
                NDArray out = unet.forward(latent, t, context);
                Parity.assertClose("unet t=" + t, ref.floats("unet.out_t" + t), out.toFloatArray(), 1e-4);
            }
        }
    }
}
