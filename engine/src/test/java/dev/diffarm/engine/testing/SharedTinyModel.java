package dev.diffarm.engine.testing;

import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.pipeline.StableDiffusion;
import java.util.Optional;

/**
 * The sd-tiny model ({@code model/}), loaded once per test JVM for the tests that only read it (no LoRA fused, no
 * weights trained); like {@link TestSamplers#plugins()} it stays open until the JVM ends.
 */
public final class SharedTinyModel {
    private static StableDiffusion model;

    private SharedTinyModel() {
    }

    public static synchronized StableDiffusion get() {
        if (model == null) {
            model = StableDiffusion.load(Fixtures.sdTiny("model"), Optional.empty(), Optional.empty(),
                    TokenizerLocator.fromEnvironment());
        }
        return model;
    }
}
