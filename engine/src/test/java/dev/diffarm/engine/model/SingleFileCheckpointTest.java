package dev.diffarm.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.diffarm.engine.clip.ClipTextModel;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import dev.diffarm.engine.unet.UNet2DConditionModel;
import dev.diffarm.engine.vae.AutoencoderKL;
import java.nio.file.Path;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The single-file checkpoint (float32 and float16), seen through {@link CompVisKeyMap}, against the diffusers
 * folder holding the same weights: the same keys, shapes and bits for every component. The fixture's weights are
 * all exact float16 values, so the float16 file upcast must match bit for bit too.
 */
class SingleFileCheckpointTest {

    static Stream<Arguments> checkpoints() {
        return Stream.of("model.safetensors", "model-fp16.safetensors")
                .flatMap(file -> Stream.of(Arguments.of(file, true), Arguments.of(file, false)));
    }

    @ParameterizedTest(name = "{0}, configs from folder: {1}")
    @MethodSource("checkpoints")
    void everyComponentMatchesTheDiffusersFolderBitForBit(String file, boolean withConfig) {
        Path folder = Fixtures.sdTiny("model");
        Optional<Path> config = withConfig ? Optional.of(folder) : Optional.empty();
        try (ModelFiles reference = ModelFiles.open(folder, Optional.empty());
             ModelFiles single = ModelFiles.open(Fixtures.sdTiny(file), config)) {
            assertEquals(ModelFiles.Format.SINGLE_FILE, single.format());
            assertSameTensors("unet", reference, single, m -> m.unet().tensors());
            assertSameTensors("vae", reference, single, m -> m.vae().tensors());
            assertSameTensors("text encoder", reference, single, m -> m.textEncoder().tensors());
        }
    }

    /** The real modules, built from the float16 single file with the folder's configs, reproduce diffusers' outputs. */
    @Test
    void modulesBuiltFromTheFloat16CheckpointMatchDiffusers() {
        try (ModelFiles model = ModelFiles.open(Fixtures.sdTiny("model-fp16.safetensors"), Optional.of(Fixtures.sdTiny("model")));
             NDManager manager = NDManager.newBaseManager();
             SafetensorsFile unetVae = SafetensorsFile.open(Fixtures.sdTiny("unet-vae.safetensors"));
             SafetensorsFile text = SafetensorsFile.open(Fixtures.sdTiny("text.safetensors"))) {
            Weights unetWeights = new Weights(model.unet().tensors(), manager);
            UNet2DConditionModel unet = new UNet2DConditionModel(unetWeights, model.unet().config());
            unetWeights.finish();
            NDArray noise = unet.forward(unetVae.load("unet.latent", manager), 500, unetVae.load("unet.context", manager));
            Parity.assertClose("unet t=500 from fp16 single file", unetVae.floats("unet.out_t500"), noise.toFloatArray(), 1e-4);

            Weights vaeWeights = new Weights(model.vae().tensors(), manager);
            AutoencoderKL vae = new AutoencoderKL(vaeWeights, model.vae().config());
            vaeWeights.finish();
            Parity.assertClose("vae decode from fp16 single file", unetVae.floats("vae.decode_out"),
                    vae.decode(unetVae.load("vae.decode_in", manager)).toFloatArray(), 1e-4);
            Parity.assertClose("vae encode mean from fp16 single file", unetVae.floats("vae.encode_mean"),
                    vae.encode(unetVae.load("vae.image", manager)).mean().toFloatArray(), 1e-4);

            Weights textWeights = new Weights(model.textEncoder().tensors(), manager);
            ClipTextModel clip = new ClipTextModel(textWeights, model.textEncoder().config());
            textWeights.finish();
            NDArray ids = manager.create(text.longs("prompt0.ids")).reshape(1, -1);
            Parity.assertClose("text prompt0 from fp16 single file", text.floats("prompt0.hidden"),
                    clip.encode(ids, 1).toFloatArray(), 1e-4);
        }
    }

    private static void assertSameTensors(String component, ModelFiles reference, ModelFiles single,
                                          Function<ModelFiles, TensorSource> of) {
        TensorSource expected = of.apply(reference);
        TensorSource actual = of.apply(single);
        assertEquals(new TreeSet<>(expected.keys()), new TreeSet<>(actual.keys()), component + ": key sets differ");
        long values = 0;
        try (NDManager manager = NDManager.newBaseManager()) {
            for (String key : expected.keys()) {
                assertArrayEquals(expected.shape(key), actual.shape(key), component + " " + key + ": shape");
                try (NDManager scope = manager.newSubManager()) {
                    NDArray e = expected.load(key, scope);
                    NDArray a = actual.load(key, scope);
                    assertEquals(DataType.FLOAT32, a.getDataType(), key);
                    assertArrayEquals(e.getShape().getShape(), a.getShape().getShape(), key + ": loaded shape");
                    assertArrayEquals(bits(e.toFloatArray()), bits(a.toFloatArray()), key + ": values differ");
                    values += e.size();
                }
            }
        }
        assertFalse(expected.keys().isEmpty(), component);
        System.out.printf("%s via %s: %d tensors, %d values, 0 bits differ%n", component, actual.describe(),
                expected.keys().size(), values);
    }

    private static int[] bits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Float.floatToRawIntBits(values[i]);
        }
        return out;
    }
}
