package dev.diffarm.engine.pipeline;

import dev.diffarm.api.control.ControlPreprocessor;
import dev.diffarm.api.image.Picture;
import dev.diffarm.engine.image.RgbImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * One ControlNet unit of a request, as sd-webui-controlnet's units and diffusers' {@code controlnet},
 * {@code controlnet_conditioning_scale}, {@code control_guidance_start/end} describe it.
 *
 * @param model         the ControlNet: a diffusers folder or a single {@code .safetensors} file in the original layout
 * @param config        a diffusers {@code config.json} for it (or a folder holding one); empty for the folder's own,
 *                      or the shapes of a single file
 * @param image         the user's picture, values in [0, 1]
 * @param preprocessor  turns {@code image} into the control map the model was trained on ({@code canny}, or
 *                      {@code none} for a ready map)
 * @param options       the preprocessor's options ({@code low_threshold}); the rest take its defaults
 * @param weight        the conditioning scale, 0..2 (sd-webui-controlnet's "Weight")
 * @param guidanceStart the fraction of the steps before which the unit is off, 0..1
 * @param guidanceEnd   the fraction of the steps after which the unit is off, above {@code guidanceStart}; as in
 *                      diffusers, step i of n (from 0) is controlled when {@code i/n >= start} and
 *                      {@code (i+1)/n <= end}
 * @param resizeMode    how a control map of another size is fitted to the request's size
 * @param processorRes  the preprocessor resolution: the picture's shorter side is brought to it before the
 *                      preprocessor runs ({@link ProcessorResolution}, {@value ProcessorResolution#MIN}..{@value
 *                      ProcessorResolution#MAX}); empty to run it on the picture as it is. Not used by {@code none}.
 */
public record ControlUnit(Path model, Optional<Path> config, RgbImage image, ControlPreprocessor preprocessor,
                          Map<String, Double> options, double weight, double guidanceStart, double guidanceEnd,
                          ResizeMode resizeMode, OptionalInt processorRes) {
    public static final double MAX_WEIGHT = 2;

    public ControlUnit {
        Objects.requireNonNull(model, "ControlNet model");
        config = config == null ? Optional.empty() : config;
        Objects.requireNonNull(image, "control image");
        Objects.requireNonNull(preprocessor, "control preprocessor");
        options = options == null ? Map.of() : Map.copyOf(options);
        require(Double.isFinite(weight) && weight >= 0 && weight <= MAX_WEIGHT, "weight", weight, "0.." + (int) MAX_WEIGHT);
        require(guidanceStart >= 0 && guidanceStart <= 1, "guidance start", guidanceStart, "0..1");
        require(guidanceEnd >= 0 && guidanceEnd <= 1, "guidance end", guidanceEnd, "0..1");
        require(guidanceStart < guidanceEnd, "guidance start", guidanceStart,
                "less than guidance end " + guidanceEnd);
        resizeMode = resizeMode == null ? ResizeMode.CROP_AND_RESIZE : resizeMode;
        processorRes = processorRes == null ? OptionalInt.empty() : processorRes;
        processorRes.ifPresent(res -> require(res >= ProcessorResolution.MIN && res <= ProcessorResolution.MAX,
                "processor resolution", res, ProcessorResolution.MIN + ".." + ProcessorResolution.MAX));
    }

    /** A unit whose preprocessor runs on the picture as it is. */
    public ControlUnit(Path model, Optional<Path> config, RgbImage image, ControlPreprocessor preprocessor,
                       Map<String, Double> options, double weight, double guidanceStart, double guidanceEnd,
                       ResizeMode resizeMode) {
        this(model, config, image, preprocessor, options, weight, guidanceStart, guidanceEnd, resizeMode,
                OptionalInt.empty());
    }

    /** A unit at full guidance (0 to 1), its map fitted by A1111's default "Crop and Resize". */
    public ControlUnit(Path model, RgbImage image, ControlPreprocessor preprocessor, double weight) {
        this(model, Optional.empty(), image, preprocessor, Map.of(), weight, 0, 1, ResizeMode.CROP_AND_RESIZE);
    }

    /**
     * The options of a Canny preprocessor's thresholds as sd-webui-controlnet names them ({@code low_threshold},
     * {@code high_threshold}), those given; the others take the preprocessor's defaults.
     */
    public static Map<String, Double> thresholds(OptionalDouble low, OptionalDouble high) {
        Map<String, Double> options = new LinkedHashMap<>();
        low.ifPresent(value -> options.put(ControlNetInfotext.LOW_THRESHOLD, value));
        high.ifPresent(value -> options.put(ControlNetInfotext.HIGH_THRESHOLD, value));
        return options;
    }

    /** This unit on another picture. */
    ControlUnit withImage(RgbImage picture) {
        return new ControlUnit(model, config, picture, preprocessor, options, weight, guidanceStart, guidanceEnd,
                resizeMode, processorRes);
    }

    /** Whether the unit controls step {@code step} (from 0) of a run of {@code steps}, as diffusers' {@code controlnet_keep}. */
    public boolean controls(int step, int steps) {
        return !((double) step / steps < guidanceStart || (double) (step + 1) / steps > guidanceEnd);
    }

    /**
     * The control map at {@code width} x {@code height}: the picture at the processor resolution, if the unit has one
     * and a preprocessor (padded to multiples of 64 where the preprocessor can, as the extension does), then the
     * preprocessor's map of it, fitted.
     */
    RgbImage controlMap(int width, int height) {
        Picture picture = new Picture(image.width(), image.height(), image.chw());
        Picture map;
        if (processorRes.isPresent() && !hasNoPreprocessor()) {
            Map<String, Double> padded = new LinkedHashMap<>(options);
            if (preprocessor.defaults().containsKey(ProcessorResolution.PAD_OPTION)) {
                padded.putIfAbsent(ProcessorResolution.PAD_OPTION, 1.0);
            }
            map = preprocessor.apply(ProcessorResolution.resize(picture, processorRes.getAsInt()), padded);
        } else {
            map = preprocessor.apply(picture, options);
        }
        return resizeMode.apply(new RgbImage(map.width(), map.height(), map.chw()), width, height);
    }

    /**
     * The resolution the preprocessor ran at, as the infotext's {@code Processor Res} tells it: the unit's, else the
     * picture's shorter side.
     */
    int effectiveProcessorRes() {
        return processorRes.orElse(Math.min(image.width(), image.height()));
    }

    /** Whether the preprocessor is {@code none}: the picture is the map already. */
    boolean hasNoPreprocessor() {
        return preprocessor.name().equalsIgnoreCase(ControlNetInfotext.NONE);
    }

    private static void require(boolean ok, String field, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException("ControlNet " + field + " = " + value + ": expected " + expected);
        }
    }
}
