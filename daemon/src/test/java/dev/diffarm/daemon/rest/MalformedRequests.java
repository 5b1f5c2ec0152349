package dev.diffarm.daemon.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.diffarm.daemon.TinyModel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;
import org.quicktheories.impl.Constraint;

/**
 * Requests that no daemon should accept, made by mutating valid jobs: a value of the wrong JSON type, numbers far out
 * of range or too long to read, strings too long or holding control characters, nesting too deep, a required field
 * missing or an unknown one added, the JSON cut short, bytes that are no UTF-8, a valid job under another content
 * type, and unknown job ids of any bytes in the paths that take one. Every mutation is invalid by construction: a
 * test may demand a 4xx for each.
 */
final class MalformedRequests {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** One request: what to send, and what was done to make it. */
    record Request(String method, String path, String contentType, byte[] body, String mutation) {
        /** The mutation's family: the first word of its description, for the distribution of what was tried. */
        String family() {
            return mutation.split(" ", 2)[0];
        }

        @Override
        public String toString() {
            String text = new String(body, StandardCharsets.UTF_8);
            return mutation + ": " + method + " " + path + " (" + contentType + ", " + body.length + " bytes) "
                    + (text.length() > 400 ? text.substring(0, 400) + "..." : text);
        }
    }

    /** A valid job of each kind, and the fields each must have. */
    private record Base(String json, Set<String> required) {
    }

    private static final List<Base> BASES = List.of(
            new Base(TinyModel.renderJob("fuzz-render", "[\"a cat\", \"a dog\"]", "[1, 2]", 2)
                    .replace("\"cfg\": 7.0", "\"cfg\": 7.0, \"negativePrompt\": \"blurry\""),
                    Set.of("apiVersion", "kind", "id", "model", "prompts")),
            new Base("""
                    {"apiVersion": "diffarm/v1", "kind": "campaign", "id": "fuzz-campaign", "model": "tiny",
                     "prompts": ["a lighthouse"], "styles": [{"name": "oil", "template": "an oil painting of {prompt}",
                     "negativePrompt": "photo"}], "sizes": [{"width": 32, "height": 32}], "seeds": [1], "steps": 2,
                     "sampler": "Euler a", "cfg": 5.0}""",
                    Set.of("apiVersion", "kind", "id", "model", "prompts", "styles.0.name", "styles.0.template",
                            "sizes.0.width", "sizes.0.height")),
            new Base("""
                    {"apiVersion": "diffarm/v1", "kind": "merge", "id": "fuzz-merge", "method": "weighted-sum",
                     "a": "tiny", "b": "tiny", "multiplier": 0.5, "output": "fuzz-merged"}""",
                    Set.of("apiVersion", "kind", "id", "method", "a", "b", "multiplier", "output")));

    /**
     * An A1111 txt2img request (from A1111's API documentation: prompt, steps, size...) with neutral values of fields
     * diffarm does not use. Every field here is one whose other values diffarm refuses; {@code null} is no mutation
     * (A1111 reads it as "left out"), nor is an unknown field (A1111 drops those).
     */
    private static final Base A1111_TXT2IMG = new Base("""
            {"prompt": "a lighthouse", "negative_prompt": "blurry", "seed": 5, "sampler_name": "Euler a",
             "scheduler": "Karras", "batch_size": 1, "n_iter": 1, "steps": 2, "cfg_scale": 7, "width": 32,
             "height": 32, "eta": 1.0, "restore_faces": false, "tiling": false, "s_noise": 1, "subseed_strength": 0,
             "override_settings": {"sd_model_checkpoint": "tiny", "CLIP_stop_at_last_layers": 1}}""",
            Set.of("prompt"));

    /** An A1111 img2img request (init_images of one base64 PNG) with a mask's settings but no mask. */
    private static final Base A1111_IMG2IMG = new Base("""
            {"init_images": ["%s"], "prompt": "a lighthouse at night", "denoising_strength": 0.6, "resize_mode": 1,
             "seed": 5, "steps": 2, "cfg_scale": 7, "width": 32, "height": 32, "mask_blur": 4, "inpainting_fill": 1,
             "inpaint_full_res": false, "initial_noise_multiplier": 1}""".formatted(tinyPng()),
            Set.of("prompt", "init_images"));

    /** Values of A1111 fields that would change A1111's image, which diffarm cannot render: each refused. */
    private static final List<String> A1111_UNSUPPORTED = List.of("\"restore_faces\": true", "\"tiling\": true",
            "\"enable_hr\": true, \"hr_sampler_name\": \"DDIM\"", "\"styles\": [\"cinematic\"]", "\"script_name\": \"x/y/z plot\"",
            "\"alwayson_scripts\": {\"ADetailer\": {\"args\": [true]}}",
            "\"alwayson_scripts\": {\"controlnet\": {\"args\": [{\"model\": \"tiny-control\", \"image\": \"iVBORw0KGgo=\", "
                    + "\"pixel_perfect\": true}]}}", "\"subseed_strength\": 0.5",
            "\"s_churn\": 1", "\"refiner_checkpoint\": \"sdxl-refiner\"", "\"infotext\": \"a cat\\nSteps: 20\"",
            "\"seed_resize_from_h\": 64", "\"token_merging_ratio\": 0.5", "\"batch_size\": 101, \"n_iter\": 100",
            "\"force_task_id\": \"../etc\"", "\"seed\": 4294967295, \"batch_size\": 2");

    /** What a family of endpoints takes: where its requests go, their valid bases, and what counts as no value. */
    private record Contract(String path, List<Base> bases, boolean nullIsAbsent, List<String> strings) {
    }

    private static final Contract JOBS = new Contract("/jobs", BASES, false, List.of("", "7", "true", "x"));
    /** An empty string is "left out" for A1111's names (sampler, scheduler), so it is not drawn. */
    private static final Contract A1111 = new Contract("/sdapi/v1/txt2img", List.of(A1111_TXT2IMG), true,
            List.of("7", "true", "x"));
    private static final Contract A1111_IMAGE = new Contract("/sdapi/v1/img2img", List.of(A1111_IMG2IMG), true,
            List.of("7", "true", "x"));

    private static final List<String> WRONG_CONTENT_TYPES = List.of("text/plain", "application/xml",
            "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "image/png",
            "application/octet-stream", "text/json");
    /** Numbers beyond every range of the contract, or beyond what a reader should expand. */
    private static final List<String> BAD_NUMBERS = List.of("-2", "-1e10", "1e10", "1e400", "-1e400", "1e99999",
            "18446744073709551616", "-9223372036854775809", "123456789012345678901234567890", "1" + "0".repeat(70),
            "0." + "1".repeat(80), "4.5e15");
    /** Byte sequences that are not UTF-8: a stray continuation, an overlong NUL, a surrogate, a cut sequence... */
    private static final List<byte[]> NOT_UTF8 = List.of(bytes("80"), bytes("ff"), bytes("c080"), bytes("eda080"),
            bytes("f888808080"), bytes("e282"), bytes("c3"), bytes("f4908080"), bytes("fe"));

    private static final byte[] PNG_SIGNATURE = bytes("89504e470d0a1a0a");
    /** How every base64 PNG starts: its signature encoded. */
    private static final String PNG_BASE64 = "iVBORw0KGgo";

    private MalformedRequests() {
    }

    /** An 8x8 grey PNG, base64: an init image for img2img requests. */
    private static String tinyPng() {
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(8, 8,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            javax.imageio.ImageIO.write(image, "png", png);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return java.util.Base64.getEncoder().encodeToString(png.toByteArray());
    }

    /** A PNG header and a zTXt chunk of 8 MB of zeros, compressed to a few kilobytes: a decompression bomb. */
    private static byte[] pngWithBombText() {
        java.util.zip.Deflater deflater = new java.util.zip.Deflater(9);
        deflater.setInput(new byte[8 << 20]);
        deflater.finish();
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (!deflater.finished()) {
            compressed.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.writeBytes("parameters".getBytes(StandardCharsets.ISO_8859_1));
        data.write(0);
        data.write(0);
        data.writeBytes(compressed.toByteArray());
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.writeBytes(PNG_SIGNATURE);
        png.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(data.size()).array());
        png.writeBytes("zTXt".getBytes(StandardCharsets.ISO_8859_1));
        png.writeBytes(data.toByteArray());
        png.writeBytes(new byte[4]);
        return png.toByteArray();
    }

    private static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    /** Every kind of malformed request, in the proportions the fuzz test draws them. */
    static Gen<Request> any() {
        return in -> new Draw(in, JOBS).request();
    }

    /** Malformed requests to the A1111 endpoints: txt2img bodies mutated as jobs are, and A1111's own refusals. */
    static Gen<Request> a1111() {
        return in -> new Draw(in, in.next(Constraint.between(0, 1)) == 0 ? A1111 : A1111_IMAGE).a1111Request();
    }

    /** Draws one request from QuickTheories' randomness (which it can shrink). */
    private static final class Draw {
        private final RandomnessSource in;
        private final Contract contract;

        Draw(RandomnessSource in, Contract contract) {
            this.in = in;
            this.contract = contract;
        }

        int between(int min, int max) {
            return (int) in.next(Constraint.between(min, max));
        }

        <T> T pick(List<T> items) {
            return items.get(between(0, items.size() - 1));
        }

        Request request() {
            Base base = pick(contract.bases());
            ObjectNode job = parse(base.json());
            return switch (between(0, 13)) {
                case 0, 1 -> post(wrongType(job), job);
                case 2 -> post(badNumber(job), job);
                case 3 -> post(longString(job), job);
                case 4 -> post(controlCharacter(job), job);
                case 5 -> post(deepNesting(job), job);
                case 6 -> post(removeRequired(job, base), job);
                case 7 -> post(extraField(job), job);
                case 8 -> truncated(job);
                case 9 -> notUtf8(job);
                case 10 -> wrongContentType(job);
                case 11 -> garbage();
                default -> unknownIdPath();
            };
        }

        /** The mutations of jobs that apply to A1111 bodies, then A1111's refused values and its other endpoints. */
        Request a1111Request() {
            Base base = pick(contract.bases());
            ObjectNode body = parse(base.json());
            return switch (between(0, 13)) {
                case 0, 1 -> post(wrongType(body), body);
                case 2 -> post(badNumber(body), body);
                case 3 -> post(longString(body), body);
                case 4 -> post(controlCharacter(body), body);
                case 5 -> post(deepNesting(body), body);
                case 6 -> post(removeRequired(body, base), body);
                case 7 -> truncated(body);
                case 8 -> notUtf8(body);
                case 9 -> wrongContentType(body);
                case 10, 11 -> unsupported(body);
                case 12 -> badPngInfo();
                default -> badOptions();
            };
        }

        private Request unsupported(ObjectNode body) {
            String fields = pick(A1111_UNSUPPORTED);
            ObjectNode changed = body.deepCopy();
            changed.setAll(parse("{" + fields + "}"));
            return new Request("POST", contract.path(), "application/json", write(changed), "unsupported " + fields);
        }

        /** png-info with an image that is no PNG, a cut one, or one whose text inflates beyond the limit. */
        private Request badPngInfo() {
            String image = switch (between(0, 3)) {
                case 0 -> "not base64 at all";
                case 1 -> java.util.Base64.getEncoder().encodeToString(text(between(0, 60)).getBytes(StandardCharsets.UTF_8));
                case 2 -> java.util.Base64.getEncoder().encodeToString(Arrays.copyOf(PNG_SIGNATURE, between(0, 8)));
                default -> java.util.Base64.getEncoder().encodeToString(pngWithBombText());
            };
            ObjectNode body = NODES.objectNode().put("image", image);
            return new Request("POST", "/sdapi/v1/png-info", "application/json", write(body),
                    "png-info " + (image.length() > 40 ? image.substring(0, 40) + "..." : image));
        }

        /** Options the farm cannot take: an unknown model, clip skip out of range or of another type. */
        private Request badOptions() {
            String option = pick(List.of("{\"sd_model_checkpoint\": \"nope.safetensors [abcdef]\"}",
                    "{\"sd_model_checkpoint\": 7}", "{\"CLIP_stop_at_last_layers\": 13}",
                    "{\"CLIP_stop_at_last_layers\": 0}", "{\"CLIP_stop_at_last_layers\": \"2\"}", "[]", "\"tiny\""));
            return new Request("POST", "/sdapi/v1/options", "application/json", option.getBytes(StandardCharsets.UTF_8),
                    "options " + option);
        }

        private Request post(String mutation, ObjectNode job) {
            return new Request("POST", contract.path(), "application/json", write(job), mutation);
        }

        /** A value replaced by one of another JSON type. */
        private String wrongType(ObjectNode job) {
            Location at = pick(locations(job, node -> true));
            JsonNode old = at.get();
            List<JsonNode> others = new ArrayList<>();
            if (!old.isTextual()) {
                others.add(NODES.textNode(pick(contract.strings())));
            }
            if (!old.isNumber()) {
                others.add(NODES.numberNode(between(-3, 3)));
            }
            if (!old.isBoolean()) {
                others.add(NODES.booleanNode(between(0, 1) == 1));
            }
            if (!old.isNull() && !contract.nullIsAbsent()) {
                others.add(NODES.nullNode());
            }
            if (!old.isArray()) {
                others.add(NODES.arrayNode().add(old.deepCopy()));
            }
            if (!old.isObject()) {
                others.add(NODES.objectNode().set("value", old.deepCopy()));
            }
            JsonNode replacement = pick(others);
            at.set(replacement);
            return "wrong-type " + at + " = " + replacement;
        }

        private String badNumber(ObjectNode job) {
            Location at = pick(locations(job, JsonNode::isNumber));
            String number = pick(BAD_NUMBERS);
            at.set(NODES.rawValueNode(new RawValue(number)));
            return "bad-number " + at + " = " + number;
        }

        private String longString(ObjectNode job) {
            Location at = pick(locations(job, JsonNode::isTextual));
            int length = between(10_001, 60_000);
            at.set(NODES.textNode(String.valueOf((char) ('a' + between(0, 25))).repeat(length)));
            return "long-string " + at + " of " + length + " characters";
        }

        private String controlCharacter(ObjectNode job) {
            // Not inside a base64 picture: its decoders skip line breaks (A1111's, Python's b64decode, skips any).
            Location at = pick(locations(job, node -> node.isTextual() && !node.textValue().startsWith(PNG_BASE64)));
            String text = at.get().asText();
            int position = between(0, text.length());
            char control = (char) (int) pick(List.of(0x00, 0x01, 0x07, 0x08, 0x0b, 0x0c, 0x0d, 0x1b, 0x1f, 0x7f));
            at.set(NODES.textNode(text.substring(0, position) + control + text.substring(position)));
            return "control-character " + at + " U+" + String.format("%04X", (int) control) + " at " + position;
        }

        /** Written as text: Jackson's own writer refuses to nest this deep. */
        private String deepNesting(ObjectNode job) {
            Location at = pick(locations(job, node -> true));
            int depth = between(17, 20_000);
            boolean arrays = between(0, 1) == 0;
            String nested = arrays ? "[".repeat(depth) + "1" + "]".repeat(depth)
                    : "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
            at.set(NODES.rawValueNode(new RawValue(nested)));
            return "deep-nesting " + at + " " + depth + " levels of " + (arrays ? "arrays" : "objects");
        }

        private String removeRequired(ObjectNode job, Base base) {
            String path = pick(List.copyOf(base.required()).stream().sorted().toList());
            String[] parts = path.split("\\.");
            JsonNode parent = job;
            for (int i = 0; i < parts.length - 1; i++) {
                parent = parent.isArray() ? parent.get(Integer.parseInt(parts[i])) : parent.get(parts[i]);
            }
            ((ObjectNode) parent).remove(parts[parts.length - 1]);
            return "missing " + path;
        }

        private String extraField(ObjectNode job) {
            List<Location> objects = new ArrayList<>(List.of(new Location(null, null, -1, job, "(the job)")));
            collect(job, "", JsonNode::isObject, objects::add);
            String name = "zz" + text(between(0, 40));
            Location at = pick(objects);
            ((ObjectNode) at.get()).set(name, NODES.numberNode(between(0, 9)));
            return "extra-field " + JSON.valueToTree(name) + " in " + at;
        }

        /** The JSON cut before its closing brace. */
        private Request truncated(ObjectNode job) {
            byte[] whole = write(job);
            int length = between(0, whole.length - 1);
            byte[] cut = Arrays.copyOf(whole, length);
            return new Request("POST", contract.path(), "application/json", cut,
                    "truncated at " + length + " of " + whole.length);
        }

        /** Bytes that are not UTF-8 inside the first prompt (or, for a merge, the output's name). */
        private Request notUtf8(ObjectNode job) {
            byte[] whole = write(job);
            String marker = job.has("prompts") ? "\"prompts\":[\"" : job.has("prompt") ? "\"prompt\":\"" : "\"output\":\"";
            int start = new String(whole, StandardCharsets.ISO_8859_1).indexOf(marker) + marker.length();
            byte[] bad = pick(NOT_UTF8);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(whole, 0, start + 1);
            out.writeBytes(bad);
            out.write(whole, start + 1, whole.length - start - 1);
            return new Request("POST", contract.path(), "application/json", out.toByteArray(),
                    "not-utf8 " + HexFormat.of().formatHex(bad) + " in " + marker);
        }

        /** A valid job under a content type that is not JSON (or none). */
        private Request wrongContentType(ObjectNode job) {
            List<String> types = new ArrayList<>(WRONG_CONTENT_TYPES);
            types.add("");
            String type = pick(types);
            return new Request("POST", contract.path(), type, write(job), "content-type \"" + type + "\"");
        }

        /** Bytes of any value, JSON or not. */
        private Request garbage() {
            byte[] body = new byte[between(0, 2000)];
            for (int i = 0; i < body.length; i++) {
                body[i] = (byte) between(0, 255);
            }
            return new Request("POST", "/jobs", "application/json", body, "garbage of " + body.length + " bytes");
        }

        /** An unknown job id of any bytes, percent-encoded, where the paths take one. */
        private Request unknownIdPath() {
            byte[] id = new byte[between(1, 300)];
            for (int i = 0; i < id.length; i++) {
                id[i] = (byte) between(0, 255);
            }
            StringBuilder encoded = new StringBuilder("zz");
            for (byte b : id) {
                encoded.append('%').append(String.format("%02X", b & 0xff));
            }
            String[] target = pick(List.of(new String[] {"GET", ""}, new String[] {"DELETE", ""},
                    new String[] {"GET", "/events"}));
            return new Request(target[0], "/jobs/" + encoded + target[1], "", new byte[0],
                    "unknown-id " + target[0] + " of " + id.length + " bytes" + target[1]);
        }

        /** A short text of any characters but surrogates. */
        private String text(int length) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < length; i++) {
                int codePoint = between(0, 0x2FFF);
                text.appendCodePoint(codePoint);
            }
            return text.toString();
        }

        private List<Location> locations(ObjectNode job, Predicate<JsonNode> which) {
            List<Location> found = new ArrayList<>();
            collect(job, "", which, found::add);
            if (found.isEmpty()) {
                throw new IllegalStateException("no location in " + job);
            }
            return found;
        }
    }

    /** Where a value sits: a field of an object or an element of an array, and its path for messages. */
    private record Location(JsonNode parent, String field, int index, JsonNode value, String path) {
        JsonNode get() {
            return value;
        }

        void set(JsonNode replacement) {
            if (parent instanceof ObjectNode object) {
                object.set(field, replacement);
            } else if (parent instanceof ArrayNode array) {
                array.set(index, replacement);
            } else {
                throw new IllegalStateException("the whole job is no location to replace");
            }
        }

        @Override
        public String toString() {
            return path;
        }
    }

    private static void collect(JsonNode node, String path, Predicate<JsonNode> which, Consumer<Location> found) {
        String prefix = path.isEmpty() ? "" : path + ".";
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                Location location = new Location(node, field.getKey(), -1, field.getValue(), prefix + field.getKey());
                if (which.test(field.getValue())) {
                    found.accept(location);
                }
                collect(field.getValue(), location.path(), which, found);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                Location location = new Location(node, null, i, node.get(i), path + "[" + i + "]");
                if (which.test(node.get(i))) {
                    found.accept(location);
                }
                collect(node.get(i), location.path(), which, found);
            }
        }
    }

    private static ObjectNode parse(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a base job of the fuzz test is no JSON: " + json, e);
        }
    }

    private static byte[] write(JsonNode job) {
        try {
            return JSON.writeValueAsBytes(job);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
