package dev.diffarm.engine.cli;

import dev.diffarm.engine.pipeline.PixelFormats;
import dev.diffarm.engine.pipeline.ResizeMode;
import dev.diffarm.engine.image.RgbImage;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The picture img2img and inpainting start from, and how it is fitted to the size. */
final class InitImageOptions {
    @Option(names = "--init-image", required = true, paramLabel = "FILE",
            description = "The picture to start from (PNG, JPEG or WebP).")
    Path file;

    @Option(names = "--resize-mode", defaultValue = "Just resize", paramLabel = "MODE",
            description = "How a picture of another size than --width x --height is fitted, as A1111 names it: "
                    + "'Just resize', 'Crop and resize', 'Resize and fill' (or just, crop, fill). Default: ${DEFAULT-VALUE}.")
    String resizeMode;

    RgbImage read() throws IOException {
        return PixelFormats.toUnit(ImageFiles.read("--init-image", file));
    }

    ResizeMode mode() {
        return ResizeMode.named(resizeMode);
    }
}
