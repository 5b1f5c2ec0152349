package dev.diffarm.daemon.a1111;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.diffarm.farm.config.ControlNetUnit;
import dev.diffarm.farm.config.InlineImage;
import dev.diffarm.farm.config.Limits;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * sd-webui-controlnet's units of an A1111 request ({@code alwayson_scripts.controlnet.args}, each with its snake_case
 * fields) as the job's {@code controlnets} (their camelCase forms). A unit with {@code "enabled": false} is left out,
 * as the extension leaves it; a model given as the extension lists it ({@code control_canny [a1b2c3d4]}) is named
 * without its hash. The job's validation checks the values; {@link #jobPath} names its problems back by these fields.
 * What diffarm does not render is refused naming the field (a mask, pixel perfect, a control mode other than
 * Balanced), as {@link IgnoredFields} refuses what would change the image.
 */
final class ControlNetArgs {
    /** The request field of the scripts, and the script's name in it. */
    static final String SCRIPTS = "alwayson_scripts";
    static final String SCRIPT = "controlnet";
    private static final String ARGS = SCRIPTS + "." + SCRIPT + ".args";
    /** sd-webui-controlnet's resize modes, by its number for each, and the job's names for them. */
    private static final List<String> RESIZE_MODES = List.of("Just Resize", "Crop and Resize", "Resize and Fill");
    private static final List<String> JOB_RESIZE_MODES = List.of("just-resize", "crop-and-resize", "resize-and-fill");
    /** Job unit fields by the extension's names: copied as they are, the job checks them. */
    private static final Map<String, String> NUMBERS = Map.of("weight", "weight", "guidance_start", "guidanceStart",
            "guidance_end", "guidanceEnd");
    /** The extension's unit fields that change nothing diffarm renders. */
    private static final Set<String> BOOKKEEPING = Set.of("low_vram", "lowvram", "save_detected_map", "input_mode",
            "batch_images", "output_dir", "is_ui", "loopback", "advanced_weighting", "inpaint_crop_input_image",
            "effective_region_mask", "ipadapter_input", "pulid_mode", "union_control_type", "guidance");
    private static final Pattern LISTED_MODEL = Pattern.compile("(.+) \\[[0-9a-fA-F]{8,10}]");

    private ControlNetArgs() {
    }

    /**
     * The job's units.
     *
     * @param units   the enabled units as job units, in order
     * @param argsAt  for each job unit, its index in {@code args}
     */
    record Units(ArrayNode units, List<Integer> argsAt) {
        static final Units NONE = new Units(JsonNodeFactory.instance.arrayNode(), List.of());
    }

    /**
     * The units of {@code body}'s {@code alwayson_scripts}; any other script that is given arguments is refused (diffarm
     * runs no other A1111 script). Fields of a unit diffarm neither renders nor refuses are added to {@code ignored}.
     */
    static Units read(A1111Body body, List<String> ignored) {
        Optional<ObjectNode> scripts = body.object(SCRIPTS);
        if (scripts.isEmpty()) {
            return Units.NONE;
        }
        Units units = Units.NONE;
        for (Iterator<Map.Entry<String, JsonNode>> it = scripts.get().fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> script = it.next();
            String field = SCRIPTS + "." + script.getKey();
            if (script.getKey().equalsIgnoreCase(SCRIPT)) {
                units = units(body, script.getValue(), ignored);
            } else if (!isEmpty(script.getValue())) {
                body.problem(A1111Problem.of(A1111Problem.UNSUPPORTED_VALUE, field, field + " = "
                        + A1111Body.show(script.getValue()) + ": diffarm runs no A1111 script but controlnet; expected "
                        + "no arguments"));
            }
        }
        return units;
    }

    /**
     * The request's field a job problem at {@code path} came from: a unit's field by the extension's name at its
     * place in {@code args} ({@code controlnets[0].guidanceStart} is {@code alwayson_scripts.controlnet.args[2]
     * .guidance_start} when the first two units are disabled); empty for a path outside the units.
     */
    static Optional<String> requestPath(String path, List<Integer> argsAt) {
        Matcher unit = Pattern.compile("controlnets\\[(\\d+)](?:\\.(\\w+))?.*").matcher(path);
        if (!unit.matches()) {
            return Optional.empty();
        }
        int index = Integer.parseInt(unit.group(1));
        String at = ARGS + "[" + (index < argsAt.size() ? argsAt.get(index) : index) + "]";
        return Optional.of(unit.group(2) == null ? at : at + "." + snakeCase(unit.group(2)));
    }

    private static Units units(A1111Body body, JsonNode script, List<String> ignored) {
        JsonNode args = script.path("args");
        if (!script.isObject() || !args.isArray() && !args.isMissingNode()) {
            body.invalid(SCRIPTS + "." + SCRIPT, script, "an object {\"args\": [unit, ...]}");
            return Units.NONE;
        }
        ArrayNode units = JsonNodeFactory.instance.arrayNode();
        List<Integer> argsAt = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String field = ARGS + "[" + i + "]";
            JsonNode arg = args.get(i);
            if (!arg.isObject()) {
                body.invalid(field, arg, "a ControlNet unit object");
                continue;
            }
            if (arg.path("enabled").isBoolean() && !arg.get("enabled").booleanValue()) {
                continue;
            }
            Optional<ObjectNode> unit = unit(body, field, (ObjectNode) arg, ignored);
            if (unit.isPresent()) {
                units.add(unit.get());
                argsAt.add(i);
            }
        }
        return new Units(units, List.copyOf(argsAt));
    }

    private static boolean isEmpty(JsonNode value) {
        return value.isNull() || value.isContainerNode() && (value.isEmpty() || value.path("args").isArray()
                && value.path("args").isEmpty());
    }

    private static String snakeCase(String camel) {
        return camel.replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT);
    }

    /** One enabled unit as the job's; empty after reporting what diffarm cannot render. */
    private static Optional<ObjectNode> unit(A1111Body body, String field, ObjectNode arg, List<String> ignored) {
        ObjectNode unit = JsonNodeFactory.instance.objectNode();
        int problems = body.problems().size();
        String model = text(arg, "model").map(ControlNetArgs::unlisted).orElse("");
        if (model.isEmpty() || model.equalsIgnoreCase("None")) {
            body.problem(A1111Problem.of(A1111Problem.INVALID_VALUE, field + ".model", field + ".model = "
                    + A1111Body.show(arg.path("model")) + ": expected a ControlNet this farm has (GET /controlnets), or "
                    + "\"enabled\": false"));
        }
        unit.put("model", model);
        Optional<String> image = image(body, field, arg);
        image.ifPresent(uri -> unit.put("image", uri));
        String module = text(arg, "module").filter(name -> !name.equalsIgnoreCase("None"))
                .orElse(ControlNetUnit.NO_PREPROCESSOR);
        unit.put("module", module);
        NUMBERS.forEach((name, jobName) -> {
            if (arg.hasNonNull(name)) {
                unit.set(jobName, arg.get(name));
            }
        });
        boolean canny = module.equalsIgnoreCase(ControlNetUnit.CANNY);
        for (String threshold : List.of("threshold_a", "threshold_b")) {
            // -1 is the extension's "the module's default"; modules without thresholds ignore them there too
            JsonNode value = arg.get(threshold);
            if (canny && value != null && !value.isNull() && !(value.isNumber() && value.doubleValue() == -1)) {
                unit.set(threshold.equals("threshold_a") ? "thresholdA" : "thresholdB", value);
            }
        }
        resizeMode(body, field, arg).ifPresent(mode -> unit.put("resizeMode", mode));
        if (canny) {
            processorRes(body, field, arg, image, unit);
        }
        refuseUnless(body, field, arg, "control_mode", value -> value.isNull() || value.asText().equals("0")
                || value.asText().equalsIgnoreCase("Balanced"), "0 or \"Balanced\" (diffarm's ControlNet runs balanced)");
        refuseUnless(body, field, arg, "pixel_perfect", value -> value.isNull() || value.isBoolean()
                && !value.booleanValue(), "false (diffarm takes processor_res as it is given)");
        refuseUnless(body, field, arg, "guessmode", value -> value.isNull() || value.isBoolean() && !value.booleanValue(),
                "false (diffarm has no guess mode)");
        refuseUnless(body, field, arg, "mask", ControlNetArgs::isBlank, "none (diffarm's units take no mask)");
        refuseUnless(body, field, arg, "hr_option", value -> value.isNull() || value.asText().equalsIgnoreCase("Both"),
                "\"Both\" (diffarm's units steer both passes of a hires fix)");
        for (Iterator<String> names = arg.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!HANDLED.contains(name) && !NUMBERS.containsKey(name)) {
                if (!BOOKKEEPING.contains(name)) {
                    ignored.add(field + "." + name);
                }
            }
        }
        return body.problems().size() == problems ? Optional.of(unit) : Optional.empty();
    }

    /** The unit fields read above. */
    private static final Set<String> HANDLED = Set.of("enabled", "model", "module", "image", "input_image",
            "threshold_a", "threshold_b", "resize_mode", "processor_res", "control_mode", "pixel_perfect", "guessmode",
            "mask", "hr_option");

    /** The picture: {@code image} (a string, or {@code {"image": ..., "mask": ...}}), else {@code input_image}. */
    private static Optional<String> image(A1111Body body, String field, ObjectNode arg) {
        JsonNode image = arg.hasNonNull("image") ? arg.get("image") : arg.path("input_image");
        if (image.isObject()) {
            refuseUnless(body, field + ".image", (ObjectNode) image, "mask", ControlNetArgs::isBlank,
                    "none (diffarm's units take no mask)");
            image = image.path("image");
        }
        if (!image.isTextual() || image.textValue().isEmpty()) {
            body.problem(A1111Problem.of(A1111Problem.INVALID_VALUE, field + ".image", field + ".image = "
                    + A1111Body.show(image) + ": expected the unit's picture as base64 PNG or JPEG"));
            return Optional.empty();
        }
        return Optional.of(ModeFields.dataUri(image.textValue()));
    }

    /** sd-webui-controlnet's resize mode by name or number, as the job's name; empty for its default. */
    private static Optional<String> resizeMode(A1111Body body, String field, ObjectNode arg) {
        JsonNode mode = arg.path("resize_mode");
        if (mode.isMissingNode() || mode.isNull()) {
            return Optional.empty();
        }
        for (int i = 0; i < RESIZE_MODES.size(); i++) {
            if (mode.isIntegralNumber() && mode.asInt() == i || mode.isTextual()
                    && mode.textValue().equalsIgnoreCase(RESIZE_MODES.get(i))) {
                return Optional.of(JOB_RESIZE_MODES.get(i));
            }
        }
        body.invalid(field + ".resize_mode", mode, "\"Just Resize\", \"Crop and Resize\" or \"Resize and Fill\" "
                + "(or 0, 1, 2)");
        return Optional.empty();
    }

    /**
     * A {@code processor_res} as the unit's {@code processorRes}: the picture's shorter side brought to it before Canny
     * runs. -1 (the extension's "default") and the picture's own shorter side run Canny on the picture as it is.
     */
    private static void processorRes(A1111Body body, String field, ObjectNode arg, Optional<String> image,
                                     ObjectNode unit) {
        JsonNode res = arg.path("processor_res");
        if (res.isMissingNode() || res.isNull() || res.isNumber() && res.asInt() == -1 || image.isEmpty()) {
            return;
        }
        int side;
        try {
            InlineImage picture = InlineImage.parse(image.get());
            side = Math.min(picture.width(), picture.height());
        } catch (IllegalArgumentException unreadable) {
            return; // the job names the picture's problem
        }
        if (res.isIntegralNumber() && res.asInt() == side) {
            return;
        }
        if (res.isIntegralNumber() && res.asInt() >= Limits.MIN_PROCESSOR_RES && res.asInt() <= Limits.MAX_PROCESSOR_RES) {
            unit.put("processorRes", res.asInt());
            return;
        }
        body.problem(A1111Problem.of(A1111Problem.INVALID_VALUE, field + ".processor_res", field + ".processor_res = "
                + A1111Body.show(res) + ": expected -1, " + side + " (the picture's shorter side) or an integer in "
                + Limits.MIN_PROCESSOR_RES + ".." + Limits.MAX_PROCESSOR_RES));
    }

    private static void refuseUnless(A1111Body body, String field, ObjectNode arg, String name,
                                     java.util.function.Predicate<JsonNode> renderable, String expected) {
        JsonNode value = arg.get(name);
        if (value != null && !renderable.test(value)) {
            body.problem(A1111Problem.of(A1111Problem.UNSUPPORTED_VALUE, field + "." + name, field + "." + name + " = "
                    + A1111Body.show(value) + ": diffarm cannot render it; expected " + expected));
        }
    }

    private static boolean isBlank(JsonNode value) {
        return value.isNull() || value.isTextual() && value.textValue().isEmpty()
                || value.isContainerNode() && value.isEmpty();
    }

    private static Optional<String> text(ObjectNode arg, String name) {
        JsonNode value = arg.get(name);
        return value != null && value.isTextual() ? Optional.of(value.textValue().strip()) : Optional.empty();
    }

    /** A model as the extension lists it ({@code name [hash]}) without its hash. */
    private static String unlisted(String model) {
        Matcher listed = LISTED_MODEL.matcher(model);
        return listed.matches() ? listed.group(1) : model;
    }
}
