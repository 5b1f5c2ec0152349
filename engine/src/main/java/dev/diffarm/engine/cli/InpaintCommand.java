package dev.diffarm.engine.cli;

import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.pipeline.GenerationRequest;
import dev.diffarm.engine.pipeline.Inpaint;
import dev.diffarm.engine.pipeline.MaskedContent;
import dev.diffarm.engine.train.data.Rgb8Image;
import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "inpaint", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Repaints the white part of a mask (inpainting), as diffusers' StableDiffusionInpaintPipeline "
                + "does: a normal model has the rest put back after every step; an inpainting model (9 input channels, "
                + "recognised by itself) sees the mask and the masked picture.",
                "Takes every option of 'render' but the hires pass; the size defaults to the picture's."})
final class InpaintCommand implements Callable<Integer> {
    @Mixin
    RenderOptions render;

    @Mixin
    InitImageOptions init;

    @Option(names = "--mask", required = true, paramLabel = "FILE",
            description = "The mask: white (>= 50 % grey after blurring) is repainted, black kept; the picture's size.")
    Path mask;

    @Option(names = "--strength", defaultValue = "0.75", paramLabel = "X",
            description = "How much the masked area is repainted, in (0, 1]. Default: ${DEFAULT-VALUE}.")
    double strength;

    @Option(names = "--mask-blur", defaultValue = "0", paramLabel = "N",
            description = "Blur the mask by a Gaussian of N pixels before it is cut at one half. Default: ${DEFAULT-VALUE}.")
    int maskBlur;

    @Option(names = "--masked-content", defaultValue = "original", paramLabel = "KIND",
            description = "What the repainted area starts from (A1111's 'Masked content'): original, fill (the colours "
                    + "around it), latent noise, latent nothing. Default: ${DEFAULT-VALUE}.")
    String maskedContent;

    @Option(names = "--inpaint-only-masked",
            description = "Inpaint only the box around the mask (plus --padding), at --width x --height, and paste it "
                    + "back into the picture (A1111's 'Inpaint area: Only masked'). Default: the whole picture.")
    boolean onlyMasked;

    @Option(names = "--padding", defaultValue = "32", paramLabel = "N",
            description = "With --inpaint-only-masked: pixels around the mask's box. Default: ${DEFAULT-VALUE}.")
    int padding;

    @Option(names = "--invert-mask", description = "Repaint the black part instead (A1111's 'Inpaint not masked').")
    boolean invert;

    @Override
    public Integer call() throws IOException {
        RgbImage picture = init.read();
        Rgb8Image maskPicture = ImageFiles.read("--mask", mask);
        Inpaint inpaint = new Inpaint(maskPicture, maskBlur, invert, MaskedContent.named(maskedContent),
                onlyMasked ? OptionalInt.of(padding) : OptionalInt.empty());
        GenerationRequest base = render.request(picture.width(), picture.height());
        render.render(inpaint.request(base, picture, strength, init.mode()));
        return 0;
    }
}
