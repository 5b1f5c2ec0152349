package dev.diffarm.engine.train.data;

import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import java.nio.file.Path;

/** The sd-tiny training fixtures the data tests read, from the copies in the test resources. */
final class SharedTrainFixtures {
    private SharedTrainFixtures() {
    }

    /** {@code sd-tiny/<relative>} of the test resources. */
    static Path sdTiny(String relative) {
        return Fixtures.sdTiny(relative);
    }

    /** The float32 values of the {@code images} key of {@code train-lora-run.safetensors}: [4, 3, 32, 32]. */
    static float[] runImages() {
        try (SafetensorsFile file = SafetensorsFile.open(sdTiny("train-lora-run.safetensors"))) {
            return file.floats("images");
        }
    }
}
