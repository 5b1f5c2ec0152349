package dev.diffarm.farm.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a task does besides txt2img: start from a picture ({@link InitImageSettings}: img2img, inpainting,
 * outpainting) or follow the first pass with a hires pass ({@link HiresSettings}), not both (as in AUTOMATIC1111,
 * the hires fix follows txt2img); with either or neither, ControlNet units ({@link ControlNetUnit}) steer every pass,
 * and an upscale step ({@link UpscaleSettings}) makes the finished image larger.
 * {@link #NONE} is plain txt2img; its tasks' parameter hashes are those of the tasks before these modes existed.
 *
 * @param init        the picture to start from; empty for txt2img
 * @param hires       the hires pass; empty for none
 * @param controlNets the ControlNet units, in the order they apply, at most {@value Limits#MAX_CONTROLNETS}; empty
 *                    for none
 * @param upscale     the upscale step after the image (and its hires pass) is rendered; empty for none
 */
public record ImageModes(Optional<InitImageSettings> init, Optional<HiresSettings> hires,
                         List<ControlNetUnit> controlNets, Optional<UpscaleSettings> upscale) {
    /** Plain txt2img. */
    public static final ImageModes NONE = new ImageModes(Optional.empty(), Optional.empty());
    /** Why an init image and a hires pass do not go together, completing "expected ...". */
    static final String INIT_OR_HIRES = "no enableHr with an initImage: as in A1111, the hires fix follows txt2img";

    public ImageModes {
        Objects.requireNonNull(init, "init");
        Objects.requireNonNull(hires, "hires");
        if (init.isPresent() && hires.isPresent()) {
            throw new IllegalArgumentException("enableHr: expected " + INIT_OR_HIRES);
        }
        controlNets = List.copyOf(controlNets);
        if (controlNets.size() > Limits.MAX_CONTROLNETS) {
            throw new IllegalArgumentException("controlnets: expected at most " + Limits.MAX_CONTROLNETS + " units (it has "
                    + controlNets.size() + ")");
        }
        Objects.requireNonNull(upscale, "upscale");
    }

    /** Modes without an upscale step. */
    public ImageModes(Optional<InitImageSettings> init, Optional<HiresSettings> hires, List<ControlNetUnit> controlNets) {
        this(init, hires, controlNets, Optional.empty());
    }

    /** Modes without ControlNet units. */
    public ImageModes(Optional<InitImageSettings> init, Optional<HiresSettings> hires) {
        this(init, hires, List.of());
    }

    /** A task starting from {@code init}. */
    public static ImageModes of(InitImageSettings init) {
        return new ImageModes(Optional.of(init), Optional.empty());
    }

    /** A task with a hires pass. */
    public static ImageModes of(HiresSettings hires) {
        return new ImageModes(Optional.empty(), Optional.of(hires));
    }

    /** These modes with {@code controlNets} as their ControlNet units; empty for none. */
    public ImageModes withControlNets(List<ControlNetUnit> controlNets) {
        return new ImageModes(init, hires, controlNets, upscale);
    }

    /** These modes with {@code upscale} as their upscale step; empty for none. */
    public ImageModes withUpscale(Optional<UpscaleSettings> upscale) {
        return new ImageModes(init, hires, controlNets, upscale);
    }

    /** Whether this is plain txt2img. */
    public boolean isNone() {
        return init.isEmpty() && hires.isEmpty() && controlNets.isEmpty() && upscale.isEmpty();
    }

    /**
     * These modes laid over {@code base} (a style's over its campaign's): each one set here replaces base's; so do the
     * ControlNet units, all of them, when there are any here, and the upscale step.
     */
    ImageModes over(ImageModes base) {
        return new ImageModes(init.or(base::init), hires.or(base::hires),
                controlNets.isEmpty() ? base.controlNets() : controlNets, upscale.or(base::upscale));
    }

    /** Whether these modes laid over {@code base} go together; if not, reports it at {@code path}. */
    boolean checkOver(Problems problems, String path, ImageModes base) {
        Optional<InitImageSettings> mergedInit = init.or(base::init);
        Optional<HiresSettings> mergedHires = hires.or(base::hires);
        if (mergedInit.isPresent() && mergedHires.isPresent()) {
            String field = init.isPresent() ? "initImage" : "enableHr";
            problems.report(ValidationError.of(ValidationError.Code.INVALID_VALUE, FieldPath.field(path, field),
                    init.isPresent() ? Json.show(init.get().image().json()) : "true",
                    INIT_OR_HIRES + " (the job's settings have the other)"));
            return false;
        }
        return true;
    }

    /**
     * The size of the image a task of {@code size} ends with: {@code int(side * hrScale)} after a hires pass, the
     * canvas after an outpainting, else {@code size}. For modes that passed {@link #checkSize} at {@code size}.
     */
    public Size imageSize(Size size) {
        if (hires.isPresent()) {
            return new Size((int) hires.get().side(size.width()), (int) hires.get().side(size.height()));
        }
        return init.flatMap(InitImageSettings::outpaint)
                .map(sides -> new Size((int) sides.width(size), (int) sides.height(size))).orElse(size);
    }

    /**
     * The size of the PNG a task of {@code size} stores: {@link #imageSize} made larger by the upscale step, if any
     * ({@link UpscaleSettings#side}). For modes that passed {@link #checkSize} at {@code size}.
     */
    public Size outputSize(Size size) {
        Size image = imageSize(size);
        return upscale.map(step -> new Size(step.side(image.width()), step.side(image.height()))).orElse(image);
    }

    /**
     * Checks that these modes work at a task's {@code size}: a hires pass's and an outpainting's image stays within
     * the sides a task may have, and the upscale step's within those an upscale job may make. Reports at {@code path}
     * (the settings' object; "" for a job's top level).
     */
    void checkSize(Problems problems, String path, Size size) {
        hires.ifPresent(h -> checkResult(problems, FieldPath.field(path, "hrScale"), Json.show(h.scale()), size,
                h.side(size.width()), h.side(size.height())));
        init.flatMap(InitImageSettings::outpaint).ifPresent(sides -> checkResult(problems,
                FieldPath.field(path, "outpaint"), Json.show(sides), size, sides.width(size), sides.height(size)));
        upscale.ifPresent(step -> checkUpscaled(problems, FieldPath.field(path, "upscale.scale"), step, size));
    }

    private void checkUpscaled(Problems problems, String field, UpscaleSettings step, Size size) {
        Size image = imageSize(size);
        long width = step.side(image.width());
        long height = step.side(image.height());
        if (width > Limits.MAX_UPSCALED_SIDE || height > Limits.MAX_UPSCALED_SIDE) {
            String scale = step.scale() == Math.rint(step.scale()) ? Long.toString((long) step.scale())
                    : Double.toString(step.scale());
            problems.report(ValidationError.of(ValidationError.Code.INVALID_VALUE, field, scale, "an upscaled image "
                    + "of at most " + Limits.MAX_UPSCALED_SIDE + " px on a side (the task's image of " + image
                    + " would become " + width + "x" + height + ")"));
        }
    }

    private static void checkResult(Problems problems, String field, String shown, Size from, long width, long height) {
        if (!Rules.SIDE.accepts().test(width) || !Rules.SIDE.accepts().test(height)) {
            problems.report(ValidationError.of(ValidationError.Code.INVALID_VALUE, field, shown, "an image of " + width
                    + "x" + height + " (from " + from + ") with both sides " + Rules.SIDE.expected()));
        }
    }
}
