package dev.diffarm.farm.config;

import static dev.diffarm.farm.config.ValueReader.bool;
import static dev.diffarm.farm.config.ValueReader.integer;
import static dev.diffarm.farm.config.ValueReader.number;
import static dev.diffarm.farm.config.ValueReader.text;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * Reads the {@link ImageModes} fields of a job or a style ({@code initImage}, {@code mask}, {@code enableHr}, ...),
 * reporting each problem at its field: a value out of range, a field that needs another one absent (a
 * {@code maskBlur} without a {@code mask}), modes that do not go together.
 */
final class ModesReader {
    private static final String WITH_INIT_IMAGE = "this field only together with an initImage";
    private static final String WITH_MASK = "this field only together with a mask";
    private static final String WITH_HIRES = "this field only together with \"enableHr\": true";

    static final ValueReader<ImageInput> IMAGE = (node, path, problems) -> {
        if (!node.isTextual()) {
            problems.report(ValidationError.of(ValidationError.Code.WRONG_TYPE, path, Json.show(node),
                    InlineImage.EXPECTED));
            return Optional.empty();
        }
        String value = node.textValue();
        if (!value.startsWith(InlineImage.SCHEME)) {
            return Rules.INPUT_KEY.check(problems, path, value) ? Optional.of(new StoredImage(value)) : Optional.empty();
        }
        try {
            return Optional.of(InlineImage.parse(value));
        } catch (IllegalArgumentException e) {
            problems.report(new ValidationError(ValidationError.Code.INVALID_VALUE, Optional.of(path),
                    Optional.of(Json.show(node)), path + " = " + Json.show(node) + ": " + e.getMessage()));
            return Optional.empty();
        }
    };
    static final ValueReader<InitResizeMode> RESIZE_MODE = named(InitResizeMode.values(), InitResizeMode::id,
            true, InitResizeMode.EXPECTED);
    private static final ValueReader<InpaintingFill> FILL = named(InpaintingFill.values(), InpaintingFill::id, true,
            InpaintingFill.EXPECTED);
    private static final ValueReader<HiresStepsRule> STEPS_RULE = named(HiresStepsRule.values(), HiresStepsRule::id,
            false, "\"a1111\" or \"diffusers\"");
    private static final ValueReader<OutpaintSides> OUTPAINT = (node, path, problems) ->
            FieldReader.of(node, path, problems, "an object {\"left\": N, \"right\": N, \"top\": N, \"bottom\": N}")
                    .flatMap(fields -> {
                        long left = fields.orDefault("left", 0L, integer(Rules.OUTPAINT_SIDE));
                        long right = fields.orDefault("right", 0L, integer(Rules.OUTPAINT_SIDE));
                        long top = fields.orDefault("top", 0L, integer(Rules.OUTPAINT_SIDE));
                        long bottom = fields.orDefault("bottom", 0L, integer(Rules.OUTPAINT_SIDE));
                        fields.rejectUnknownFields();
                        if (fields.isValid() && left + right + top + bottom == 0) {
                            problems.report(ValidationError.of(ValidationError.Code.INVALID_VALUE, path, Json.show(node),
                                    "at least one side above 0"));
                            return Optional.empty();
                        }
                        return fields.isValid() ? Optional.of(new OutpaintSides((int) left, (int) right, (int) top,
                                (int) bottom)) : Optional.empty();
                    });

    /** An upscale step: its fields as an upscale job's, each reported at its own path ({@code upscale.scale}). */
    private static final ValueReader<UpscaleSettings> UPSCALE = (node, path, problems) ->
            FieldReader.of(node, path, problems, "an upscale step {\"upscaler\": ..., \"scale\": N, \"tile\": N, "
                    + "\"tileOverlap\": N}").flatMap(fields -> {
                        Optional<String> upscaler = fields.required("upscaler", text(Rules.UPSCALER),
                                Rules.UPSCALER.expected());
                        double scale = fields.orDefault("scale", UpscaleJob.DEFAULT_SCALE, number(Rules.UPSCALE_FACTOR));
                        long tile = fields.orDefault("tile", (long) UpscaleJob.DEFAULT_TILE, integer(Rules.TILE));
                        long overlap = fields.orDefault("tileOverlap", (long) UpscaleJob.DEFAULT_TILE_OVERLAP,
                                integer(Rules.TILE_OVERLAP));
                        fields.rejectUnknownFields();
                        if (fields.isValid() && tile > 0 && overlap >= tile) {
                            problems.report(ValidationError.of(ValidationError.Code.INVALID_VALUE,
                                    fields.pathOf("tileOverlap"), Long.toString(overlap), "less than tile (" + tile + ")"));
                            return Optional.empty();
                        }
                        return fields.isValid() ? Optional.of(new UpscaleSettings(upscaler.orElseThrow(), scale,
                                (int) tile, (int) overlap)) : Optional.empty();
                    });

    private ModesReader() {
    }

    /** The modes {@code fields} set; {@link ImageModes#NONE} when none, or (after reporting) when they are invalid. */
    static ImageModes read(FieldReader fields) {
        Optional<ImageInput> image = fields.optional("initImage", IMAGE);
        Optional<InitResizeMode> resizeMode = fields.optional("resizeMode", RESIZE_MODE);
        Optional<Double> strength = fields.optional("denoisingStrength", number(Rules.DENOISING_STRENGTH));
        Optional<MaskSettings> mask = readMask(fields);
        Optional<OutpaintSides> outpaint = fields.optional("outpaint", OUTPAINT);
        Optional<HiresSettings> hires = readHires(fields, strength);
        List<ControlNetUnit> controlNets = fields.orDefault("controlnets", List.of(), ControlNetsReader.UNITS);
        Optional<UpscaleSettings> upscale = fields.optional("upscale", UPSCALE);

        boolean hasInit = fields.has("initImage");
        boolean hasHires = hires.isPresent();
        fields.onlyWith("resizeMode", hasInit, WITH_INIT_IMAGE);
        fields.onlyWith("mask", hasInit, WITH_INIT_IMAGE);
        fields.onlyWith("outpaint", hasInit, WITH_INIT_IMAGE);
        fields.onlyWith("denoisingStrength", hasInit || hasHires,
                "this field only together with an initImage or \"enableHr\": true");
        fields.onlyWith("enableHr", !(hasInit && hasHires), ImageModes.INIT_OR_HIRES);
        fields.onlyWith("outpaint", !fields.has("mask"), InitImageSettings.MASK_OR_OUTPAINT);
        if (image.isPresent() && mask.isPresent()) {
            InitImageSettings.sizeMismatch(image.get(), mask.get().image()).ifPresent(problem ->
                    fields.problems().report(new ValidationError(ValidationError.Code.INVALID_VALUE,
                            Optional.of(fields.pathOf("mask")), Optional.empty(), fields.pathOf("mask") + ": " + problem)));
        }
        if (!fields.isValid()) {
            return ImageModes.NONE;
        }
        Optional<InitImageSettings> init = image.map(picture -> new InitImageSettings(picture,
                resizeMode.orElse(InitResizeMode.JUST_RESIZE), strength.orElse(outpaint.isPresent()
                ? Defaults.OUTPAINT_DENOISING_STRENGTH : Defaults.DENOISING_STRENGTH), mask, outpaint));
        return new ImageModes(init, hires, controlNets, upscale);
    }

    private static Optional<MaskSettings> readMask(FieldReader fields) {
        Optional<ImageInput> image = fields.optional("mask", IMAGE);
        long blur = fields.orDefault("maskBlur", (long) Defaults.MASK_BLUR, integer(Rules.MASK_BLUR));
        boolean invert = fields.orDefault("inpaintingMaskInvert", false, bool());
        InpaintingFill fill = fields.orDefault("inpaintingFill", InpaintingFill.ORIGINAL, FILL);
        boolean onlyMasked = fields.orDefault("inpaintFullRes", false, bool());
        long padding = fields.orDefault("inpaintFullResPadding", (long) Defaults.INPAINT_FULL_RES_PADDING,
                integer(Rules.PADDING));
        boolean hasMask = fields.has("mask");
        for (String name : new String[] {"maskBlur", "inpaintingMaskInvert", "inpaintingFill", "inpaintFullRes"}) {
            fields.onlyWith(name, hasMask, WITH_MASK);
        }
        fields.onlyWith("inpaintFullResPadding", hasMask && onlyMasked,
                "this field only together with a mask and \"inpaintFullRes\": true");
        return image.map(picture -> new MaskSettings(picture, (int) blur, invert, fill,
                onlyMasked ? OptionalInt.of((int) padding) : OptionalInt.empty()));
    }

    private static Optional<HiresSettings> readHires(FieldReader fields, Optional<Double> strength) {
        boolean enabled = fields.orDefault("enableHr", false, bool());
        double scale = fields.orDefault("hrScale", Defaults.HR_SCALE, number(Rules.HR_SCALE));
        String upscaler = fields.orDefault("hrUpscaler", Defaults.HR_UPSCALER, text(Rules.HR_UPSCALER));
        long steps = fields.orDefault("hrSecondPassSteps", 0L, integer(Rules.HR_STEPS));
        HiresStepsRule rule = fields.orDefault("hrStepsRule", HiresStepsRule.A1111, STEPS_RULE);
        for (String name : new String[] {"hrScale", "hrUpscaler", "hrSecondPassSteps", "hrStepsRule"}) {
            fields.onlyWith(name, enabled, WITH_HIRES);
        }
        return enabled ? Optional.of(new HiresSettings(scale, upscaler, (int) steps,
                strength.orElse(Defaults.HIRES_DENOISING_STRENGTH), rule)) : Optional.empty();
    }

    /**
     * One of {@code values} given by its {@code id}, or, {@code byNumber}, by A1111's number for it (its position,
     * as A1111's API counts its resize modes and fills).
     */
    private static <T extends Enum<T>> ValueReader<T> named(T[] values, Function<T, String> id, boolean byNumber,
                                                          String expected) {
        return (node, path, problems) -> {
            Optional<T> value = Arrays.stream(values).filter(candidate -> node.isTextual()
                    ? id.apply(candidate).equals(node.textValue())
                    : byNumber && node.isIntegralNumber() && node.asLong() == candidate.ordinal()).findFirst();
            if (value.isEmpty()) {
                problems.report(ValidationError.of(node.isTextual() || node.isIntegralNumber()
                        ? ValidationError.Code.INVALID_VALUE : ValidationError.Code.WRONG_TYPE, path, Json.show(node),
                        expected));
            }
            return value;
        };
    }
}
