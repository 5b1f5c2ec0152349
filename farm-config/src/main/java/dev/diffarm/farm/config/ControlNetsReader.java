package dev.diffarm.farm.config;

import static dev.diffarm.farm.config.ValueReader.integer;
import static dev.diffarm.farm.config.ValueReader.list;
import static dev.diffarm.farm.config.ValueReader.number;
import static dev.diffarm.farm.config.ValueReader.text;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Reads a job's {@code controlnets}: each unit's fields at its own path ({@code controlnets[1].weight}), a guidance
 * start not below its end, thresholds without the Canny preprocessor, too many units. Whether the farm has the model
 * and the preprocessor is the {@link Catalog}'s to say.
 */
final class ControlNetsReader {
    private static final ValueReader<ControlNetUnit> UNIT = (node, path, problems) ->
            FieldReader.of(node, path, problems, "a ControlNet unit {\"model\": ..., \"image\": ...}").flatMap(fields -> {
                Optional<String> model = fields.required("model", text(Rules.NAME), "the ControlNet's name on the farm");
                Optional<ImageInput> image = fields.required("image", ModesReader.IMAGE, InlineImage.EXPECTED);
                String module = fields.orDefault("module", ControlNetUnit.NO_PREPROCESSOR, text(Rules.NAME));
                double weight = fields.orDefault("weight", 1.0, number(Rules.CONTROLNET_WEIGHT));
                Optional<Double> start = fields.optional("guidanceStart", number(Rules.GUIDANCE));
                double end = fields.orDefault("guidanceEnd", 1.0, number(Rules.GUIDANCE));
                Optional<Double> thresholdA = fields.optional("thresholdA", number(Rules.CONTROL_THRESHOLD));
                Optional<Double> thresholdB = fields.optional("thresholdB", number(Rules.CONTROL_THRESHOLD));
                InitResizeMode resizeMode = fields.orDefault("resizeMode", ControlNetUnit.DEFAULT_RESIZE_MODE,
                        ModesReader.RESIZE_MODE);
                Optional<Long> processorRes = fields.optional("processorRes", integer(Rules.PROCESSOR_RES));
                fields.rejectUnknownFields();
                if (fields.has("guidanceEnd") || start.isPresent()) {
                    double from = start.orElse(0.0);
                    if (from >= end) {
                        fields.problems().report(ValidationError.of(ValidationError.Code.INVALID_VALUE,
                                fields.pathOf(start.isPresent() ? "guidanceStart" : "guidanceEnd"),
                                fields.show(start.isPresent() ? "guidanceStart" : "guidanceEnd"), start.isPresent()
                                        ? ControlNetUnit.guidanceBelow(end) : "more than guidanceStart (0)"));
                    }
                }
                for (String threshold : List.of("thresholdA", "thresholdB")) {
                    fields.onlyWith(threshold, ControlNetUnit.isCanny(module), ControlNetUnit.THRESHOLDS_WITH_CANNY);
                }
                fields.onlyWith("processorRes", !module.equalsIgnoreCase(ControlNetUnit.NO_PREPROCESSOR),
                        ControlNetUnit.RESOLUTION_WITH_MODULE);
                if (!fields.isValid()) {
                    return Optional.empty();
                }
                return Optional.of(new ControlNetUnit(model.orElseThrow(), image.orElseThrow(), module, weight,
                        start.orElse(0.0), end, optional(thresholdA), optional(thresholdB), resizeMode,
                        processorRes.map(res -> OptionalInt.of(res.intValue())).orElse(OptionalInt.empty())));
            });

    /** The units, at most {@value Limits#MAX_CONTROLNETS}. */
    static final ValueReader<List<ControlNetUnit>> UNITS = list(UNIT, "an array of ControlNet units",
            Limits.MAX_CONTROLNETS);

    private ControlNetsReader() {
    }

    private static OptionalDouble optional(Optional<Double> value) {
        return value.map(OptionalDouble::of).orElse(OptionalDouble.empty());
    }
}
