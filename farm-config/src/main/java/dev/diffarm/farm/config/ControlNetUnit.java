package dev.diffarm.farm.config;

import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * One ControlNet unit of a task: a ControlNet model steering the render toward a control map made of a picture. In
 * JSON an item of {@code controlnets}, with the camelCase forms of sd-webui-controlnet's
 * {@code alwayson_scripts.controlnet.args} names:
 * <pre>{@code {"model": "control_canny", "image": "inputs/pose.png", "module": "canny", "weight": 0.8,
 *  "guidanceStart": 0, "guidanceEnd": 1, "thresholdA": 100, "thresholdB": 200, "resizeMode": "crop-and-resize"}}</pre>
 *
 * @param model         the ControlNet's name on the farm (a file or folder of its ControlNet folder)
 * @param image         the picture, a store key under {@value ImageInput#INPUTS_PREFIX} or a {@code data:} URI, as
 *                      {@code initImage}
 * @param module        the preprocessor that makes the control map of it, by name ({@value #CANNY}, or
 *                      {@value #NO_PREPROCESSOR} for a picture that is the map already; default {@value #NO_PREPROCESSOR})
 * @param weight        the unit's conditioning scale, 0..{@value Limits#MAX_CONTROLNET_WEIGHT} (default 1)
 * @param guidanceStart the fraction of the steps before which the unit is off, 0..1 (default 0)
 * @param guidanceEnd   the fraction of the steps after which it is off, above {@code guidanceStart} (default 1)
 * @param thresholdA    the preprocessor's first threshold (Canny's low one; its default 100); empty for the
 *                      preprocessor's default
 * @param thresholdB    the preprocessor's second threshold (Canny's high one; its default 200); empty for its default
 * @param resizeMode    how a picture of another size is fitted to the task's (default {@code crop-and-resize}, as
 *                      sd-webui-controlnet's)
 * @param processorRes  the preprocessor resolution, {@value Limits#MIN_PROCESSOR_RES}..{@value
 *                      Limits#MAX_PROCESSOR_RES} (sd-webui-controlnet's {@code processor_res}): the picture's shorter
 *                      side is brought to it before the preprocessor runs; not with {@value #NO_PREPROCESSOR}; empty
 *                      (the default) to run the preprocessor on the picture as it is
 */
public record ControlNetUnit(String model, ImageInput image, String module, double weight, double guidanceStart,
                             double guidanceEnd, OptionalDouble thresholdA, OptionalDouble thresholdB,
                             InitResizeMode resizeMode, OptionalInt processorRes) {
    /** sd-webui-controlnet's module for a picture that is the control map already. */
    public static final String NO_PREPROCESSOR = "none";
    /** The edge-map preprocessor, the one that takes thresholds. */
    public static final String CANNY = "canny";
    /** sd-webui-controlnet's default resize mode. */
    public static final InitResizeMode DEFAULT_RESIZE_MODE = InitResizeMode.CROP_AND_RESIZE;
    /** Why the thresholds go with Canny only, completing "expected ...". */
    static final String THRESHOLDS_WITH_CANNY = "this field only together with \"module\": \"" + CANNY + "\"";
    /** Why a processor resolution needs a preprocessor, completing "expected ...". */
    static final String RESOLUTION_WITH_MODULE = "this field only together with a \"module\" other than \""
            + NO_PREPROCESSOR + "\"";

    public ControlNetUnit {
        Rules.NAME.require("model", model);
        Objects.requireNonNull(image, "image");
        Rules.NAME.require("module", module);
        Rules.CONTROLNET_WEIGHT.require("weight", weight);
        Rules.GUIDANCE.require("guidanceStart", guidanceStart);
        Rules.GUIDANCE.require("guidanceEnd", guidanceEnd);
        if (guidanceStart >= guidanceEnd) {
            throw new IllegalArgumentException("guidanceStart = " + Json.show(guidanceStart) + ": expected "
                    + guidanceBelow(guidanceEnd));
        }
        Objects.requireNonNull(thresholdA, "thresholdA").ifPresent(value -> Rules.CONTROL_THRESHOLD.require("thresholdA", value));
        Objects.requireNonNull(thresholdB, "thresholdB").ifPresent(value -> Rules.CONTROL_THRESHOLD.require("thresholdB", value));
        if ((thresholdA.isPresent() || thresholdB.isPresent()) && !isCanny(module)) {
            throw new IllegalArgumentException((thresholdA.isPresent() ? "thresholdA" : "thresholdB") + ": expected "
                    + THRESHOLDS_WITH_CANNY);
        }
        Objects.requireNonNull(resizeMode, "resizeMode");
        Objects.requireNonNull(processorRes, "processorRes").ifPresent(res -> {
            Rules.PROCESSOR_RES.require("processorRes", (long) res);
            if (module.equalsIgnoreCase(NO_PREPROCESSOR)) {
                throw new IllegalArgumentException("processorRes: expected " + RESOLUTION_WITH_MODULE);
            }
        });
    }

    /** A unit whose preprocessor runs on the picture as it is. */
    public ControlNetUnit(String model, ImageInput image, String module, double weight, double guidanceStart,
                          double guidanceEnd, OptionalDouble thresholdA, OptionalDouble thresholdB,
                          InitResizeMode resizeMode) {
        this(model, image, module, weight, guidanceStart, guidanceEnd, thresholdA, thresholdB, resizeMode,
                OptionalInt.empty());
    }

    /** A unit of {@code model} on a ready control map, at {@code weight} over every step. */
    public ControlNetUnit(String model, ImageInput image, double weight) {
        this(model, image, NO_PREPROCESSOR, weight, 0, 1, OptionalDouble.empty(), OptionalDouble.empty(),
                DEFAULT_RESIZE_MODE);
    }

    /** Whether {@code module} names the Canny preprocessor (case ignored, as preprocessors are matched). */
    static boolean isCanny(String module) {
        return module.equalsIgnoreCase(CANNY);
    }

    /** What {@code guidanceStart} must be, completing "expected ...". */
    static String guidanceBelow(double guidanceEnd) {
        return "less than guidanceEnd (" + Json.show(guidanceEnd) + ")";
    }
}
