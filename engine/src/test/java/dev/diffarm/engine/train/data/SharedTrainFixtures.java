package dev.diffarm.engine.train.data;

import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * The sd-tiny training fixtures under {@code diffarm.shared.dir}; a test needing an absent one is skipped, saying
 * why.
 */
final class SharedTrainFixtures {
    private SharedTrainFixtures() {
    }

    /** {@code fixtures/sd-tiny/<relative>}, or the calling test is skipped with a printed reason. */
    static Path sdTiny(String relative) {
        Optional<Path> path = Fixtures.shared("fixtures/sd-tiny/" + relative);
        if (path.isEmpty()) {
            String reason = "sd-tiny/" + relative + " is not under diffarm.shared.dir ("
                    + System.getProperty("diffarm.shared.dir") + ")";
            System.out.println("skipped: " + reason);
            Assumptions.abort(reason);
        }
        return path.get();
    }

    /** The float32 values of the {@code images} key of {@code train-lora-run.safetensors}: [4, 3, 32, 32]. */
    static float[] runImages() {
        try (SafetensorsFile file = SafetensorsFile.open(sdTiny("train-lora-run.safetensors"))) {
            return file.floats("images");
        }
    }
}
