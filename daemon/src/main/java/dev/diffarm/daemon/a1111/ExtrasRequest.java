package dev.diffarm.daemon.a1111;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.diffarm.farm.config.Job;
import dev.diffarm.farm.config.Limits;
import dev.diffarm.farm.config.UpscaleJob;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Predicate;

/**
 * What diffarm takes from A1111's {@code ExtrasSingleImageRequest} ({@code POST /sdapi/v1/extra-single-image}) and
 * {@code ExtrasBatchImagesRequest} ({@code POST /sdapi/v1/extra-batch-images}): the pictures and their upscale "by" a
 * factor with one upscaler, which the farm runs as one upscale job ({@link UpscaleJob}, a task per distinct picture).
 * What A1111's Extras tab does beyond that (a second upscaler blended in, face restoration, resizing "to" a size) is
 * refused naming the field when it would change the picture, and accepted at its neutral value.
 *
 * @param images   {@code image}, or each {@code imageList[i].data}: the pictures as inline {@code data:} URIs, in the
 *                 request's order (a picture sent twice is here twice)
 * @param upscaler {@code upscaler_1}: a name of the farm's upscalers ({@code /sdapi/v1/upscalers}, or a model's name)
 * @param scale    {@code upscaling_resize} (A1111's default 2)
 */
record ExtrasRequest(List<String> images, String upscaler, double scale) {
    /** A1111's default {@code upscaling_resize}. */
    static final double DEFAULT_SCALE = 2;
    private static final String NONE = "None";

    private static final Predicate<JsonNode> ZERO = value -> value.isNumber() && value.decimalValue().signum() == 0;
    private static final Predicate<JsonNode> NO_UPSCALER = value -> value.isTextual()
            && (value.textValue().isEmpty() || value.textValue().equals(NONE));
    private static final Predicate<JsonNode> SCALE_BY = value -> value.isIntegralNumber() && value.intValue() == 0;
    private static final Predicate<JsonNode> ANY = value -> true;

    /** A1111's fields diffarm does not use, the values at which they change nothing, and what to send instead. */
    private record Unused(Predicate<JsonNode> neutral, String expected) {
    }

    private static final Map<String, Unused> UNUSED = Map.of(
            "resize_mode", new Unused(SCALE_BY, "0 (upscale by upscaling_resize; diffarm does not resize to a size)"),
            "upscaler_2", new Unused(NO_UPSCALER, "\"None\" (diffarm blends no second upscaler)"),
            "extras_upscaler_2_visibility", new Unused(ZERO, "0 (diffarm blends no second upscaler)"),
            "gfpgan_visibility", new Unused(ZERO, "0 (diffarm has no face restoration)"),
            "codeformer_visibility", new Unused(ZERO, "0 (diffarm has no face restoration)"),
            // neutral whenever resize_mode is 0 or no face restoration runs, which the fields above require
            "codeformer_weight", new Unused(ANY, "any value"),
            "upscaling_resize_w", new Unused(ANY, "any value"),
            "upscaling_resize_h", new Unused(ANY, "any value"),
            "upscaling_crop", new Unused(ANY, "any value"),
            "upscale_first", new Unused(ANY, "any value"));
    private static final List<String> USED = List.of("upscaler_1", "upscaling_resize", "show_extras_results");

    /** The two requests: where each carries its pictures. */
    enum Form {
        /** {@code ExtrasSingleImageRequest}: one picture, {@code image}. */
        SINGLE("image", "extra-single-image"),
        /** {@code ExtrasBatchImagesRequest}: {@code imageList}, each {@code {data, name}}. */
        BATCH("imageList", "extra-batch-images");

        private final String picturesField;
        private final String endpoint;

        Form(String picturesField, String endpoint) {
            this.picturesField = picturesField;
            this.endpoint = endpoint;
        }
    }

    /** The {@code extra-single-image} request of {@code body}, or every problem with it. */
    static Result read(A1111Body body) {
        return read(body, Form.SINGLE);
    }

    /** The request of {@code body} in the form {@code form}, or every problem with it. */
    static Result read(A1111Body body, Form form) {
        for (String name : body.fieldNames()) {
            JsonNode value = body.json().get(name);
            Unused unused = UNUSED.get(name);
            if (USED.contains(name) || name.equals(form.picturesField) || value.isNull()
                    || unused != null && unused.neutral().test(value)) {
                continue;
            }
            body.problem(A1111Problem.of(A1111Problem.UNSUPPORTED_VALUE, name, name + " = " + A1111Body.show(value)
                    + (unused == null ? ": not a field of A1111's " + form.endpoint + " request"
                    : ": diffarm cannot apply it without changing the picture; expected " + unused.expected())));
        }
        List<String> images = form == Form.SINGLE ? singleImage(body) : imageList(body);
        Optional<String> upscaler = body.string("upscaler_1").filter(name -> !name.isEmpty());
        if (upscaler.filter(name -> !name.equals(NONE)).isEmpty()
                && body.problems().stream().noneMatch(p -> p.field().equals(Optional.of("upscaler_1")))) {
            body.problem(A1111Problem.of(A1111Problem.INVALID_VALUE, "upscaler_1", "upscaler_1 = "
                    + upscaler.map(name -> "\"" + name + "\"").orElse("missing") + ": expected an upscaler as "
                    + "/sdapi/v1/upscalers lists them (diffarm upscales with one; \"None\" would leave the picture)"));
        }
        OptionalDouble scale = body.number("upscaling_resize", 1, Limits.MAX_UPSCALE_FACTOR);
        if (!body.problems().isEmpty()) {
            return new Result.Invalid(body.problems());
        }
        return new Result.Valid(new ExtrasRequest(images, upscaler.orElseThrow(), scale.orElse(DEFAULT_SCALE)));
    }

    /** {@code image}, or a problem. */
    private static List<String> singleImage(A1111Body body) {
        Optional<String> image = body.string("image").filter(text -> !text.isEmpty());
        if (image.isEmpty() && body.problems().stream().noneMatch(p -> p.field().equals(Optional.of("image")))) {
            body.problem(A1111Problem.of("missing-field", "image", "image is missing: expected the picture as base64 "
                    + "(or a data: URI)"));
        }
        return image.map(ModeFields::dataUri).stream().toList();
    }

    /** Each {@code imageList[i].data} ({@code name} is A1111's file name, not used), or the problems. */
    private static List<String> imageList(A1111Body body) {
        JsonNode list = body.json().get("imageList");
        if (list == null || list.isNull()) {
            body.problem(A1111Problem.of("missing-field", "imageList", "imageList is missing: expected an array of "
                    + "{\"data\": base64 picture, \"name\": file name}"));
            return List.of();
        }
        if (!list.isArray() || list.isEmpty() || list.size() > Limits.MAX_UPSCALE_IMAGES) {
            body.invalid("imageList", list, "an array of 1 to " + Limits.MAX_UPSCALE_IMAGES + " {\"data\", \"name\"} "
                    + "objects");
            return List.of();
        }
        List<String> images = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode data = list.get(i).path("data");
            if (data.isTextual() && !data.textValue().isEmpty()) {
                images.add(ModeFields.dataUri(data.textValue()));
            } else {
                body.invalid("imageList[" + i + "].data", data.isMissingNode() ? NullNode.getInstance() : data,
                        "the picture as base64 (or a data: URI)");
            }
        }
        return images;
    }

    /** The pictures the job upscales: {@link #images()} each once, in the order they first come. */
    List<String> distinctImages() {
        return List.copyOf(new LinkedHashSet<>(images));
    }

    /** The upscale job of this request, a task per distinct picture, tiled as A1111 tiles ESRGAN models by default. */
    byte[] upscaleJob(String id) {
        ObjectNode job = JsonNodeFactory.instance.objectNode();
        job.put("apiVersion", Job.API_VERSION);
        job.put("kind", UpscaleJob.KIND);
        job.put("id", id);
        ArrayNode list = job.putArray("images");
        distinctImages().forEach(list::add);
        job.put("upscaler", upscaler);
        job.put("scale", scale);
        return job.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The request read, or its problems. */
    sealed interface Result {
        record Valid(ExtrasRequest request) implements Result {
        }

        record Invalid(List<A1111Problem> problems) implements Result {
        }
    }
}
