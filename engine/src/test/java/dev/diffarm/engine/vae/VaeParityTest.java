package dev.diffarm.engine.vae;

import ai.djl.ndarray.NDManager;
import dev.diffarm.engine.model.ModelFiles;
import java.util.Optional;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class VaeParityTest {
    private static NDManager manager;
    private static AutoencoderKL vae;
    private static SafetensorsFile ref;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        try (ModelFiles files = ModelFiles.open(Fixtures.sdTiny("model"), Optional.empty())) {
            Weights w = new Weights(files.vae().tensors(), manager);
            vae = new AutoencoderKL(w, files.vae().config());
            w.finish();
        }
        ref = SafetensorsFile.open(Fixtures.sdTiny("unet-vae.safetensors"));
    }

    @AfterAll
    static void close() {
        ref.close();
        manager.close();
    }

    @Test
    void decodeMatchesDiffusers() {
        Parity.assertClose("vae decode", ref.floats("vae.decode_out"),
                vae.decode(ref.load("vae.decode_in", manager)).toFloatArray(), 1e-4);
    }

    @Test
    void encodeMatchesDiffusers() {
        LatentDistribution dist = vae.encode(ref.load("vae.image", manager));
        Parity.assertClose("vae encode mean", ref.floats("vae.encode_mean"), dist.mean().toFloatArray(), 1e-4);
        Parity.assertClose("vae encode logvar", ref.floats("vae.encode_logvar"), dist.logvar().toFloatArray(), 1e-4);
        Parity.assertClose("vae encode std", ref.floats("vae.encode_std"), dist.std().toFloatArray(), 1e-4);
    }

    @Test
    void scaleFactorComesFromTheConfig() {
        org.junit.jupiter.api.Assertions.assertEquals(2, vae.config().scaleFactor());
    }
}
