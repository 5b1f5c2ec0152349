package dev.diffarm.engine.cli;

import dev.diffarm.engine.pipeline.HiresFix;
import dev.diffarm.engine.pipeline.LatentUpscaler;
import dev.diffarm.engine.pipeline.StepsRule;
import java.util.Optional;
import picocli.CommandLine.Option;

/** AUTOMATIC1111's hires fix options of {@code render}; none of them given, no hires pass. */
final class HiresOptions {
    @Option(names = "--hires-scale", paramLabel = "X",
            description = "Run a hires pass: enlarge the first pass by X (1..8) and repaint it (A1111's hires fix).")
    Double scale;

    @Option(names = "--hires-upscaler", defaultValue = "Latent", paramLabel = "NAME",
            description = "How the first pass is enlarged, as A1111 names it: Latent (bilinear), Latent (nearest), "
                    + "Latent (nearest-exact). Default: ${DEFAULT-VALUE}.")
    String upscaler;

    @Option(names = "--hires-steps", defaultValue = "0", paramLabel = "N",
            description = "Steps of the hires pass; 0 for --steps. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--denoising-strength", defaultValue = "0.7", paramLabel = "X",
            description = "How much the hires pass repaints, in (0, 1]. Default: ${DEFAULT-VALUE} (A1111's).")
    double denoisingStrength;

    @Option(names = "--hires-steps-rule", defaultValue = "a1111", paramLabel = "a1111|diffusers",
            description = "How the hires pass counts steps: a1111 runs the last N steps of an int(N / strength)-step "
                    + "schedule; diffusers runs the last int(N * strength) of N. Default: ${DEFAULT-VALUE}.")
    String stepsRule;

    /** The hires pass asked for; empty without {@code --hires-scale}. */
    Optional<HiresFix> hires() {
        if (scale == null) {
            return Optional.empty();
        }
        return Optional.of(new HiresFix(scale, LatentUpscaler.named(upscaler), steps, denoisingStrength,
                StepsRule.named(stepsRule)));
    }
}
