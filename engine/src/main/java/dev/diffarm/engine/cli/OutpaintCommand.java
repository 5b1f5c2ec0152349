package dev.diffarm.engine.cli;

import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.pipeline.Outpaint;
import dev.diffarm.engine.pipeline.PixelFormats;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "outpaint", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Extends a picture's canvas (the new pixels repeat its edge) and inpaints the new area.",
                "Takes every option of 'render' but the size (the picture's plus --extend) and the hires pass."})
final class OutpaintCommand implements Callable<Integer> {
    @Mixin
    RenderOptions render;

    @Option(names = "--init-image", required = true, paramLabel = "FILE",
            description = "The picture to extend (PNG, JPEG or WebP).")
    Path initImage;

    @Option(names = "--extend", required = true, paramLabel = "LEFT,RIGHT,TOP,BOTTOM",
            description = "Pixels to add on each side; the result must be a multiple of 8 each way.")
    String extend;

    @Option(names = "--strength", defaultValue = "1.0", paramLabel = "X",
            description = "How much the new area is repainted, in (0, 1]. Default: ${DEFAULT-VALUE}.")
    double strength;

    @Option(names = "--mask-blur", defaultValue = "0", paramLabel = "N",
            description = "Blur the new area's mask by N pixels before it is cut at one half. Default: ${DEFAULT-VALUE}.")
    int maskBlur;

    @Override
    public Integer call() throws IOException {
        if (render.width != null || render.height != null) {
            throw new IllegalArgumentException("--width/--height: outpaint's size is the init image's plus --extend");
        }
        Outpaint outpaint = parse(extend);
        RgbImage picture = PixelFormats.toUnit(ImageFiles.read("--init-image", initImage));
        int width = picture.width() + outpaint.left() + outpaint.right();
        int height = picture.height() + outpaint.top() + outpaint.bottom();
        render.render(outpaint.request(render.request(width, height), picture, strength, maskBlur));
        return 0;
    }

    static Outpaint parse(String extend) {
        String[] parts = extend.split(",", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("--extend " + extend + ": expected LEFT,RIGHT,TOP,BOTTOM in pixels");
        }
        int[] sides = new int[4];
        for (int i = 0; i < 4; i++) {
            try {
                sides[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--extend " + extend + ": '" + parts[i]
                        + "' is not a whole number of pixels");
            }
        }
        return new Outpaint(sides[0], sides[1], sides[2], sides[3]);
    }
}
