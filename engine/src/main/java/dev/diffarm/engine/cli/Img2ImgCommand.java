package dev.diffarm.engine.cli;

import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.pipeline.InitImage;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "img2img", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Repaints a picture (img2img): it is encoded, noised to --strength and denoised over the last "
                + "int(steps * strength) steps, as diffusers' StableDiffusionImg2ImgPipeline does.",
                "Takes every option of 'render' but the hires pass; the size defaults to the picture's."})
final class Img2ImgCommand implements Callable<Integer> {
    @Mixin
    RenderOptions render;

    @Mixin
    InitImageOptions init;

    @Option(names = "--strength", defaultValue = "0.75", paramLabel = "X",
            description = "How much is repainted, in (0, 1] (A1111's denoising strength). Default: ${DEFAULT-VALUE}.")
    double strength;

    @Override
    public Integer call() throws IOException {
        RgbImage picture = init.read();
        render.render(render.request(picture.width(), picture.height())
                .withInit(Optional.of(new InitImage(picture, strength, init.mode()))));
        return 0;
    }
}
