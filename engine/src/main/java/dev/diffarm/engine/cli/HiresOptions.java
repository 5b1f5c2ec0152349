package dev.diffarm.engine.cli;

import dev.diffarm.engine.pipeline.HiresFix;
import dev.diffarm.engine.pipeline.HiresUpscaler;
import dev.diffarm.engine.pipeline.ImageHiresUpscaler;
import dev.diffarm.engine.pipeline.StepsRule;
import dev.diffarm.engine.upscale.Upscalers;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * AUTOMATIC1111's hires fix options of {@code render}; none of them given, no hires pass. An upscaler model file it
 * loads stays open until {@link #close}.
 */
final class HiresOptions implements AutoCloseable {
    @Option(names = "--hires-scale", paramLabel = "X",
            description = "Run a hires pass: enlarge the first pass by X (1..8) and repaint it (A1111's hires fix).")
    Double scale;

    @Option(names = "--hires-upscaler", defaultValue = "Latent", paramLabel = "NAME",
            description = "How the first pass is enlarged, as A1111 names it: Latent (bilinear), Latent (nearest), "
                    + "Latent (nearest-exact) in latent space; or an upscaler plugin's (Lanczos, Nearest) or an "
                    + "upscaler model file (ESRGAN .pth/.safetensors, tiles of 192 overlapping by 8), which decode "
                    + "the first pass, enlarge the pictures and encode them again. Default: ${DEFAULT-VALUE}.")
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

    private HiresFix opened;

    /** The hires pass asked for, its upscaler found among {@code upscalers}; empty without {@code --hires-scale}. */
    Optional<HiresFix> hires(Upscalers upscalers) {
        if (scale == null) {
            return Optional.empty();
        }
        StepsRule rule = StepsRule.named(stepsRule);
        opened = new HiresFix(scale, HiresUpscaler.named(upscaler, upscalers, "--hires-upscaler"), steps,
                denoisingStrength, rule);
        return Optional.of(opened);
    }

    /** Closes the upscaler model {@link #hires} loaded, if any. */
    @Override
    public void close() {
        if (opened != null && opened.upscaler() instanceof ImageHiresUpscaler pictures) {
            pictures.upscaler().close();
        }
    }
}
