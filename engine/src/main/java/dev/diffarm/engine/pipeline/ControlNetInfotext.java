package dev.diffarm.engine.pipeline;

import dev.diffarm.engine.image.GenerationParameters;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A unit as sd-webui-controlnet writes it into the infotext ({@code ControlNet 0: "Module: canny, Model: name
 * [hash8], Weight: 0.8, Resize Mode: Crop and Resize, Low Vram: False, Processor Res: 512, Threshold A: 100,
 * Threshold B: 200, Guidance Start: 0, Guidance End: 1, Pixel Perfect: False, Control Mode: Balanced"}): its unit's
 * fields title-cased, in its order, those without a value for the module (-1 there) left out.
 *
 * <p>{@code Processor Res} is the unit's processor resolution, or, without one, the picture's shorter side (the
 * preprocessor then runs on the picture at its own size); {@code Threshold A} and {@code B} are a Canny preprocessor's low and high thresholds. The control mode is
 * always {@code Balanced} (no guess mode), {@code Pixel Perfect} and {@code Low Vram} are off.
 */
final class ControlNetInfotext {
    static final String NONE = "none";
    static final String LOW_THRESHOLD = "low_threshold";
    static final String HIGH_THRESHOLD = "high_threshold";

    private ControlNetInfotext() {
    }

    /** The infotext key of unit {@code index}: {@code ControlNet 0}, {@code ControlNet 1}, ... */
    static String key(int index) {
        return "ControlNet " + index;
    }

    /** The value of a unit's infotext field. */
    static String describe(ControlSignal.Unit loaded) {
        ControlUnit unit = loaded.unit();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("Module", unit.preprocessor().name());
        fields.put("Model", loaded.controlNet().name() + " [" + loaded.controlNet().hash() + "]");
        fields.put("Weight", GenerationParameters.number(unit.weight()));
        fields.put("Resize Mode", resizeMode(unit.resizeMode()));
        fields.put("Low Vram", "False");
        if (!unit.hasNoPreprocessor()) {
            fields.put("Processor Res", String.valueOf(unit.effectiveProcessorRes()));
            option(unit, LOW_THRESHOLD).ifPresent(v -> fields.put("Threshold A", v));
            option(unit, HIGH_THRESHOLD).ifPresent(v -> fields.put("Threshold B", v));
        }
        fields.put("Guidance Start", GenerationParameters.number(unit.guidanceStart()));
        fields.put("Guidance End", GenerationParameters.number(unit.guidanceEnd()));
        fields.put("Pixel Perfect", "False");
        fields.put("Control Mode", "Balanced");
        return fields.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining(", "));
    }

    /** The option's value as the unit sets it, else the preprocessor's default; empty if it has no such option. */
    private static java.util.Optional<String> option(ControlUnit unit, String name) {
        Double value = unit.options().getOrDefault(name, unit.preprocessor().defaults().get(name));
        return java.util.Optional.ofNullable(value).map(GenerationParameters::number);
    }

    /** sd-webui-controlnet's names: {@code Just Resize}, {@code Crop and Resize}, {@code Resize and Fill}. */
    private static String resizeMode(ResizeMode mode) {
        return switch (mode) {
            case JUST_RESIZE -> "Just Resize";
            case CROP_AND_RESIZE -> "Crop and Resize";
            case RESIZE_AND_FILL -> "Resize and Fill";
        };
    }
}
