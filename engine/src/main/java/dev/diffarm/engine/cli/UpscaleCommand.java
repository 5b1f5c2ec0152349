package dev.diffarm.engine.cli;

import dev.diffarm.api.Progress;
import dev.diffarm.api.upscale.PixelPath;
import dev.diffarm.api.upscale.TileLayout;
import dev.diffarm.api.upscale.Tiling;
import dev.diffarm.engine.io.AtomicFile;
import dev.diffarm.engine.plugins.SamplerPlugins;
import dev.diffarm.engine.train.data.Rgb8Image;
import dev.diffarm.engine.upscale.ExtrasUpscale;
import dev.diffarm.engine.upscale.ImageUpscaler;
import dev.diffarm.engine.upscale.sd.SdUpscaleModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "upscale", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Enlarges a picture as AUTOMATIC1111's Extras tab does: with a resampler (Lanczos, Nearest) "
                + "or an ESRGAN-class model file (RealESRGAN_x4plus.pth, 4x-UltraSharp.pth, .safetensors). A model "
                + "runs until the picture is at least --scale times larger, then Lanczos brings it to exactly "
                + "width * scale x height * scale, each rounded down to a multiple of 8 (as A1111 rounds). Large "
                + "pictures go through a model in tiles, so memory stays bounded.",
                "The PNG written keeps the input's generation parameters and adds "
                + "'Postprocess upscale by: X, Postprocess upscaler: NAME'.",
                "--upscaler DIR, a diffusers Stable Diffusion x4 upscaler folder, runs that diffusion pipeline instead "
                + "(prompt, sampler, steps, cfg, seed and --noise-level below; output 4 times larger)."})
final class UpscaleCommand implements Callable<Integer> {
    private static final int DEFAULT_SCALE = 4;

    @Option(names = "--upscaler", required = true, paramLabel = "NAME|FILE",
            description = "A resampler by name (the upscaler plugins supply Lanczos and Nearest), or a model file "
                    + "(.safetensors, .pth) of an architecture they know (ESRGAN: BasicSR's and the original key "
                    + "layout, x2 and x4).")
    String upscaler;

    @Option(names = "--scale", defaultValue = "" + DEFAULT_SCALE, paramLabel = "X",
            description = "How many times larger, 1 or more (A1111's 'Resize'). Default: ${DEFAULT-VALUE}.")
    double scale;

    @Option(names = "--tile", defaultValue = "192", paramLabel = "N",
            description = "Tile size in input pixels for a model; 0 runs the whole picture at once (A1111's "
                    + "'Tile size for ESRGAN upscalers'). Default: ${DEFAULT-VALUE}.")
    int tile;

    @Option(names = "--tile-overlap", defaultValue = "8", paramLabel = "N",
            description = "Input pixels neighbouring tiles share, less than --tile. Default: ${DEFAULT-VALUE}.")
    int tileOverlap;

    @Option(names = "--tile-mode", defaultValue = "grid", paramLabel = "grid|average",
            description = "grid: A1111's ESRGAN tiling (seams fade in over the overlap); average: its SwinIR tiling "
                    + "(overlapping outputs averaged). Default: ${DEFAULT-VALUE}.")
    String tileMode;

    @Option(names = "--a1111-bgr",
            description = "Feed a model as A1111 does, to match its pictures pixel for pixel: channels reversed (BGR), "
                    + "each tile cut to 8 bits, seams blended in 8 bits. Default: RGB in float, as Real-ESRGAN and "
                    + "ComfyUI run these models.")
    boolean a1111Bgr;

    @Option(names = "--in", required = true, paramLabel = "FILE", description = "The picture (PNG, JPEG, WebP).")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "FILE.png", description = "Where the PNG goes.")
    Path out;

    @Mixin
    PluginOptions plugins;

    @Mixin
    SdUpscaleOptions sdUpscale;

    @Override
    public Integer call() throws IOException {
        if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new IllegalArgumentException("--out " + out + ": expected a .png file");
        }
        Path folder = Path.of(upscaler);
        if (Files.isDirectory(folder)) {
            return upscaleWithPipeline(folder);
        }
        Tiling tiling = new Tiling(tile, tileOverlap, layout(tileMode));
        Rgb8Image image = ImageFiles.read("--in", in);
        try (SamplerPlugins loaded = plugins.open();
             ImageUpscaler chosen = loaded.upscalers().open("--upscaler", upscaler, tiling,
                     a1111Bgr ? PixelPath.A1111_BGR8 : PixelPath.RGB_FLOAT)) {
            long start = System.nanoTime();
            byte[] png = ExtrasUpscale.png(image, ExtrasUpscale.sourceParameters(in), chosen, scale, Progress.NONE);
            System.err.printf(Locale.ROOT, "diffarm: upscaled %dx%d to %dx%d with %s in %.2f s%n", image.width(),
                    image.height(), ExtrasUpscale.upscaledSide(image.width(), scale),
                    ExtrasUpscale.upscaledSide(image.height(), scale), chosen.label(), (System.nanoTime() - start) / 1e9);
            AtomicFile.write(out, png);
        }
        System.out.println(out);
        return 0;
    }

    /** A folder is a diffusers upscaler pipeline: the Stable Diffusion x4 upscaler, which enlarges by its VAE's factor. */
    private int upscaleWithPipeline(Path folder) throws IOException {
        if (!SdUpscaleModel.isUpscaler(folder)) {
            throw new IllegalArgumentException("--upscaler " + folder + ": a folder must be a diffusers "
                    + "StableDiffusionUpscalePipeline (its model_index.json says so); give a resampler's name or a "
                    + "model file otherwise");
        }
        if (scale != DEFAULT_SCALE) {
            throw new IllegalArgumentException("--scale " + scale + ": an upscaler pipeline enlarges by its own VAE's "
                    + "factor (the SD x4 upscaler: 4); leave --scale out");
        }
        try (SamplerPlugins loaded = plugins.open()) {
            sdUpscale.upscale(folder, in, out, loaded);
        }
        return 0;
    }

    private static TileLayout layout(String mode) {
        return switch (mode.toLowerCase(Locale.ROOT)) {
            case "grid" -> TileLayout.GRID;
            case "average" -> TileLayout.AVERAGE;
            default -> throw new IllegalArgumentException("--tile-mode " + mode + ": expected grid or average");
        };
    }
}
