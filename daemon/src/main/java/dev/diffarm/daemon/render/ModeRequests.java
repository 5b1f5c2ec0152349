package dev.diffarm.daemon.render;

import dev.diffarm.api.control.ControlPreprocessor;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.pipeline.ControlUnit;
import dev.diffarm.engine.pipeline.GenerationRequest;
import dev.diffarm.api.upscale.Tiling;
import dev.diffarm.engine.pipeline.HiresFix;
import dev.diffarm.engine.pipeline.HiresUpscaler;
import dev.diffarm.engine.pipeline.ImageHiresUpscaler;
import dev.diffarm.engine.pipeline.InitImage;
import dev.diffarm.engine.pipeline.Inpaint;
import dev.diffarm.engine.pipeline.LatentUpscaler;
import dev.diffarm.engine.pipeline.MaskedContent;
import dev.diffarm.engine.pipeline.Outpaint;
import dev.diffarm.engine.pipeline.PixelFormats;
import dev.diffarm.engine.pipeline.ResizeMode;
import dev.diffarm.engine.pipeline.StepsRule;
import dev.diffarm.farm.config.ControlNetUnit;
import dev.diffarm.farm.config.HiresSettings;
import dev.diffarm.farm.config.HiresStepsRule;
import dev.diffarm.farm.config.ImageModes;
import dev.diffarm.farm.config.InitImageSettings;
import dev.diffarm.farm.config.InitResizeMode;
import dev.diffarm.farm.config.InpaintingFill;
import dev.diffarm.farm.config.MaskSettings;
import dev.diffarm.farm.config.OutpaintSides;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A task's {@link ImageModes} made into the engine's request, through the same engine types the CLI's
 * {@code img2img}, {@code inpaint}, {@code outpaint}, {@code render --hires-*} and {@code --controlnet} use
 * ({@link InitImage}, {@link Inpaint}, {@link Outpaint}, {@link HiresFix}, {@link ControlUnit}), so that a job and a command line asking the same give the
 * same request.
 */
final class ModeRequests {
    private ModeRequests() {
    }

    /**
     * {@code base} (the task's txt2img request at its size) with {@code modes}, the pictures read by {@code pictures}.
     *
     * @throws RenderException when a picture cannot be read, or the mask does not fit the init image
     */
    static GenerationRequest apply(GenerationRequest base, ImageModes modes, InputPictures pictures,
                                   ModeCatalogs catalogs) {
        GenerationRequest request = modes.hires().map(hires -> base.withHires(Optional.of(hiresFix(hires,
                catalogs.upscalers())))).orElse(base);
        GenerationRequest moded = modes.init().map(init -> withInit(request, init, pictures)).orElse(request);
        if (modes.controlNets().isEmpty()) {
            return moded;
        }
        ControlNetCatalog catalog = catalogs.controlNets().orElseThrow(() -> new RenderException(RenderException.INPUT_UNAVAILABLE,
                "controlnets: this node renders no ControlNet units (no ControlNet folder is set up)", null));
        List<ControlUnit> units = new ArrayList<>();
        for (int i = 0; i < modes.controlNets().size(); i++) {
            units.add(controlUnit("controlnets[" + i + "]", modes.controlNets().get(i), catalog, pictures));
        }
        return moded.withControlNets(units);
    }

    /**
     * A job's unit as the engine's, built as the CLI's {@code --controlnet} builds it: the model found in the node's
     * ControlNet folder, the preprocessor among the plugins' by name, the thresholds as its options.
     */
    private static ControlUnit controlUnit(String field, ControlNetUnit unit, ControlNetCatalog catalog,
                                           InputPictures pictures) {
        Path model = catalog.model(field + ".model", unit.model());
        ControlPreprocessor preprocessor = catalog.preprocessor(field + ".module", unit.module());
        RgbImage picture = PixelFormats.toUnit(pictures.read(field + ".image", unit.image()));
        try {
            return new ControlUnit(model, Optional.empty(), picture, preprocessor,
                    ControlUnit.thresholds(unit.thresholdA(), unit.thresholdB()), unit.weight(), unit.guidanceStart(),
                    unit.guidanceEnd(), resizeMode(unit.resizeMode()), unit.processorRes());
        } catch (IllegalArgumentException e) {
            throw new RenderException(RenderException.INPUT_INVALID, field + ": " + e.getMessage(), e);
        }
    }


    private static GenerationRequest withInit(GenerationRequest base, InitImageSettings init, InputPictures pictures) {
        RgbImage picture = PixelFormats.toUnit(pictures.read("initImage", init.image()));
        ResizeMode mode = resizeMode(init.resizeMode());
        double strength = init.denoisingStrength();
        if (init.outpaint().isPresent()) {
            // the picture at the task's size, then its canvas extended: a picture of that size is extended as it is
            OutpaintSides sides = init.outpaint().get();
            return new Outpaint(sides.left(), sides.right(), sides.top(), sides.bottom())
                    .request(base, mode.apply(picture, base.width(), base.height()), strength, 0);
        }
        if (init.mask().isPresent()) {
            MaskSettings mask = init.mask().get();
            Inpaint inpaint = new Inpaint(pictures.read("mask", mask.image()), mask.blur(), mask.invert(),
                    maskedContent(mask.fill()), mask.onlyMaskedPadding());
            try {
                return inpaint.request(base, picture, strength, mode);
            } catch (IllegalArgumentException e) {
                throw new RenderException(RenderException.INPUT_INVALID, e.getMessage() + " (mask = \""
                        + mask.image().identity() + "\", initImage = \"" + init.image().identity() + "\")", e);
            }
        }
        return base.withInit(Optional.of(new InitImage(picture, strength, mode)));
    }

    private static HiresFix hiresFix(HiresSettings hires, Optional<UpscalerCatalog> upscalers) {
        return new HiresFix(hires.scale(), hiresUpscaler(hires.upscaler(), upscalers), hires.secondPassSteps(),
                hires.denoisingStrength(), switch (hires.stepsRule()) {
                    case A1111 -> StepsRule.A1111;
                    case DIFFUSERS -> StepsRule.DIFFUSERS;
                });
    }

    /**
     * A latent upscaler by A1111's name, else the node's upscaler of that name opened with A1111's tiling (as the CLI's
     * {@code --hires-upscaler}); the caller closes an opened one ({@link #closeUpscaler}).
     */
    private static HiresUpscaler hiresUpscaler(String name, Optional<UpscalerCatalog> upscalers) {
        for (LatentUpscaler latent : LatentUpscaler.values()) {
            if (latent.label().equalsIgnoreCase(name)) {
                return latent;
            }
        }
        UpscalerCatalog catalog = upscalers.orElseThrow(() -> new RenderException(RenderException.INPUT_UNAVAILABLE,
                "hrUpscaler = \"" + name + "\": this node has only the latent upscalers", null));
        return new ImageHiresUpscaler(catalog.open("hrUpscaler", name, Tiling.A1111));
    }

    /** Frees the upscaler a hires pass of {@code request} opened, if it opened one. */
    static void closeUpscaler(GenerationRequest request) {
        request.hires().map(HiresFix::upscaler).filter(ImageHiresUpscaler.class::isInstance)
                .map(ImageHiresUpscaler.class::cast).ifPresent(opened -> opened.upscaler().close());
    }

    private static ResizeMode resizeMode(InitResizeMode mode) {
        return switch (mode) {
            case JUST_RESIZE -> ResizeMode.JUST_RESIZE;
            case CROP_AND_RESIZE -> ResizeMode.CROP_AND_RESIZE;
            case RESIZE_AND_FILL -> ResizeMode.RESIZE_AND_FILL;
        };
    }

    private static MaskedContent maskedContent(InpaintingFill fill) {
        return switch (fill) {
            case FILL -> MaskedContent.FILL;
            case ORIGINAL -> MaskedContent.ORIGINAL;
            case LATENT_NOISE -> MaskedContent.LATENT_NOISE;
            case LATENT_NOTHING -> MaskedContent.LATENT_NOTHING;
        };
    }
}
