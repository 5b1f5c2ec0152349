package dev.diffarm.daemon.a1111;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The fields of A1111's processing requests that diffarm does not render, and which of their values change nothing.
 * A client such as a Photoshop plugin sends most of them on every request, at their neutral values
 * ({@code "restore_faces": false}, {@code "s_noise": 1}): those are accepted and reported as ignored. A value that
 * would change A1111's image ({@code "restore_faces": true}) is refused naming the field, because rendering without it
 * would silently give another image than the client asked for.
 */
final class IgnoredFields {
    /** A field diffarm does not use; {@code neutral} tells the values that would make no difference in A1111 either. */
    private record Field(String name, Predicate<JsonNode> neutral, String expected) {
    }

    private static final Predicate<JsonNode> ANY = value -> true;
    private static final Predicate<JsonNode> FALSE = value -> value.isBoolean() && !value.booleanValue();
    private static final Predicate<JsonNode> ZERO = value -> value.isNumber() && value.decimalValue().signum() == 0;
    private static final Predicate<JsonNode> NOT_POSITIVE = value -> value.isNumber() && value.decimalValue().signum() <= 0;
    private static final Predicate<JsonNode> ONE = value -> value.isNumber()
            && value.decimalValue().compareTo(java.math.BigDecimal.ONE) == 0;
    private static final Predicate<JsonNode> EMPTY = value -> value.isContainerNode() && value.isEmpty()
            || value.isTextual() && (value.textValue().isEmpty() || value.textValue().equalsIgnoreCase("None"));

    /** Fields that never change the image: where to save it, bookkeeping, settings of parts that are switched off. */
    private static final List<String> BOOKKEEPING = List.of("do_not_save_samples", "do_not_save_grid", "save_images",
            "seed_enable_extras", "override_settings_restore_afterwards", "comments", "do_not_reload_embeddings",
            "outpath_samples", "outpath_grids", "script_args", "refiner_switch_at", "subseed", "include_init_images",
            // superseded by hr_scale, or of forks' hires passes that A1111 itself does not read
            "firstphase_width", "firstphase_height", "hr_cfg", "hr_distilled_cfg", "token_merging_ratio_hr",
            // instruct-pix2pix's image guidance: no such model here
            "image_cfg_scale");

    private static final Map<String, Field> FIELDS = Stream.concat(
            BOOKKEEPING.stream().map(name -> new Field(name, ANY, "any value")),
            Stream.of(
                    new Field("restore_faces", FALSE, "false (diffarm has no face restoration)"),
                    new Field("tiling", FALSE, "false (diffarm renders no tileable images)"),
                    new Field("enable_hr", FALSE, "false (img2img has no hires pass; txt2img has)"),
                    new Field("disable_extra_networks", FALSE, "false (diffarm always applies a prompt's <lora:...> tags)"),
                    new Field("subseed_strength", ZERO, "0 (diffarm has no variation seeds)"),
                    new Field("seed_resize_from_h", NOT_POSITIVE, "-1 or 0 (diffarm does not resize seeds)"),
                    new Field("seed_resize_from_w", NOT_POSITIVE, "-1 or 0 (diffarm does not resize seeds)"),
                    new Field("s_min_uncond", ZERO, "0 (diffarm always computes the unconditional pass)"),
                    new Field("s_churn", ZERO, "0 (diffarm's samplers add no churn)"),
                    new Field("s_tmin", ZERO, "0 (diffarm's samplers add no churn)"),
                    new Field("s_tmax", ZERO, "0 (diffarm's samplers add no churn)"),
                    new Field("s_noise", ONE, "1 (diffarm's samplers use unscaled noise)"),
                    new Field("token_merging_ratio", ZERO, "0 (diffarm merges no tokens)"),
                    new Field("styles", EMPTY, "[] (this farm has no saved prompt styles)"),
                    new Field("script_name", EMPTY, "null (diffarm runs no A1111 scripts)"),
                    new Field("refiner_checkpoint", EMPTY, "null (diffarm has no refiner pass)"),
                    new Field("infotext", EMPTY, "null (send the fields themselves)"),
                    new Field("sampler_index", ANY, "any value"))
    ).collect(Collectors.toUnmodifiableMap(Field::name, field -> field));

    private IgnoredFields() {
    }

    /**
     * The problem with an ignorable field's value: empty when the value (or {@code null}) changes nothing, else a
     * refusal naming the field and the values diffarm takes.
     */
    static Optional<A1111Problem> check(String name, JsonNode value) {
        Field field = FIELDS.get(name);
        if (field == null || value.isNull() || field.neutral().test(value)) {
            return Optional.empty();
        }
        return Optional.of(A1111Problem.of(A1111Problem.UNSUPPORTED_VALUE, name, name + " = " + A1111Body.show(value)
                + ": diffarm cannot render it without changing the image; expected " + field.expected()));
    }

}
