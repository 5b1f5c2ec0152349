package dev.diffarm.daemon.a1111;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.diffarm.farm.config.Defaults;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A1111's img2img, inpainting and hires-fix fields as the render job's mode fields ({@code initImage},
 * {@code maskBlur}, {@code enableHr}, ...), with A1111's defaults (which differ from the job's: A1111 fills a masked
 * area with {@code fill} and renders it at full resolution unless told otherwise). The job's validation checks the
 * values; its problems come back under these A1111 names (see {@link A1111Jobs}).
 */
final class ModeFields {
    /** A1111's {@code resize_mode} numbers, as its img2img tab orders them; 3 (latent upscale) has no diffarm mode. */
    private static final List<String> RESIZE_MODES = List.of("just-resize", "crop-and-resize", "resize-and-fill");
    /** A1111's {@code inpainting_fill} numbers: fill, original, latent noise, latent nothing. */
    private static final List<String> FILLS = List.of("fill", "original", "latent-noise", "latent-nothing");
    private static final double A1111_DENOISING_STRENGTH = 0.75;
    private static final int A1111_MASK_BLUR = 4;
    private static final String DATA_URI = "data:";

    /** The txt2img fields of the hires pass. */
    static final Set<String> HIRES = Set.of("enable_hr", "hr_scale", "hr_upscaler", "hr_second_pass_steps",
            "denoising_strength", "hr_resize_x", "hr_resize_y", "hr_checkpoint_name", "hr_sampler_name", "hr_scheduler",
            "hr_prompt", "hr_negative_prompt");
    /** The img2img fields that matter only with a mask. */
    private static final Set<String> MASK = Set.of("mask_blur", "mask_blur_x", "mask_blur_y", "inpainting_fill",
            "inpaint_full_res", "inpaint_full_res_padding", "inpainting_mask_invert");
    /** The img2img fields of the init image and its mask. */
    static final Set<String> IMG2IMG = Set.of("init_images", "resize_mode", "denoising_strength", "mask", "mask_blur",
            "mask_blur_x", "mask_blur_y", "inpainting_fill", "inpaint_full_res", "inpaint_full_res_padding",
            "inpainting_mask_invert", "initial_noise_multiplier", "latent_mask", "mask_round");

    private ModeFields() {
    }

    /**
     * The hires pass's job fields; none when {@code enable_hr} is false, when the hires fields sent are only listed in
     * {@code ignored}.
     */
    static ObjectNode hires(A1111Body body, String prompt, String negativePrompt, List<String> ignored) {
        ObjectNode modes = JsonNodeFactory.instance.objectNode();
        if (!body.bool("enable_hr").orElse(false)) {
            HIRES.stream().filter(name -> body.json().has(name) && !name.equals("enable_hr")).forEach(ignored::add);
            return modes;
        }
        modes.put("enableHr", true);
        modes.put("hrScale", body.number("hr_scale", 0, Double.MAX_VALUE).orElse(Defaults.HR_SCALE));
        modes.put("hrUpscaler", body.string("hr_upscaler").filter(name -> !name.isEmpty()).orElse(Defaults.HR_UPSCALER));
        modes.put("hrSecondPassSteps", body.integer("hr_second_pass_steps", 0, Integer.MAX_VALUE).orElse(0));
        modes.put("denoisingStrength", body.number("denoising_strength", 0, 1).orElse(A1111_DENOISING_STRENGTH));
        for (String side : List.of("hr_resize_x", "hr_resize_y")) {
            body.integer(side, 0, 0);
        }
        sameAsFirstPass(body, "hr_checkpoint_name", "Use same checkpoint", Optional.empty());
        sameAsFirstPass(body, "hr_sampler_name", "Use same sampler", Optional.empty());
        sameAsFirstPass(body, "hr_scheduler", "Use same scheduler", Optional.empty());
        sameAsFirstPass(body, "hr_prompt", "", Optional.of(prompt));
        sameAsFirstPass(body, "hr_negative_prompt", "", Optional.of(negativePrompt));
        return modes;
    }

    /** A second-pass setting diffarm renders only as the first pass's: empty, A1111's "Use same ...", or equal to it. */
    private static void sameAsFirstPass(A1111Body body, String field, String same, Optional<String> firstPass) {
        body.string(field).filter(value -> !value.isEmpty() && !value.equals(same) && !firstPass.map(value::equals)
                .orElse(false)).ifPresent(value -> body.problem(A1111Problem.of(A1111Problem.UNSUPPORTED_VALUE, field,
                field + " = " + A1111Body.show(body.json().get(field)) + ": diffarm's hires pass uses the first pass's; "
                        + "expected \"" + same + "\"" + (firstPass.isPresent() ? " or the first pass's value" : ""))));
    }

    /**
     * The init image's and the mask's job fields; A1111 requires {@code init_images}. Without a mask, the mask's fields
     * sent are listed in {@code ignored}.
     */
    static ObjectNode img2img(A1111Body body, List<String> ignored) {
        ObjectNode modes = JsonNodeFactory.instance.objectNode();
        Optional<JsonNode> images = body.value("init_images");
        if (images.isEmpty() || !images.get().isArray() || images.get().size() != 1 || !images.get().get(0).isTextual()) {
            body.problem(A1111Problem.of(images.isEmpty() ? "missing-field" : A1111Problem.INVALID_VALUE, "init_images",
                    "init_images " + images.map(value -> "= " + A1111Body.show(value)).orElse("is missing")
                            + ": expected a list of one base64 PNG or JPEG (diffarm renders one init image per request)"));
        } else {
            modes.put("initImage", dataUri(images.get().get(0).textValue()));
        }
        OptionalLong resize = body.integer("resize_mode", 0, RESIZE_MODES.size() - 1);
        modes.put("resizeMode", RESIZE_MODES.get((int) resize.orElse(0)));
        modes.put("denoisingStrength", body.number("denoising_strength", 0, 1).orElse(A1111_DENOISING_STRENGTH));
        body.number("initial_noise_multiplier", 1, 1);
        body.value("latent_mask").ifPresent(value -> body.invalid("latent_mask", value,
                "null (diffarm takes the mask from mask alone)"));
        body.bool("mask_round");
        Optional<String> mask = body.string("mask").filter(value -> !value.isEmpty());
        // Read (and so type-checked) with or without a mask, as A1111 checks them.
        OptionalLong blur = body.integer("mask_blur", 0, Integer.MAX_VALUE);
        OptionalLong blurX = body.integer("mask_blur_x", 0, Integer.MAX_VALUE);
        OptionalLong blurY = body.integer("mask_blur_y", 0, Integer.MAX_VALUE);
        OptionalLong fill = body.integer("inpainting_fill", 0, FILLS.size() - 1);
        OptionalLong invert = body.integer("inpainting_mask_invert", 0, 1);
        boolean onlyMasked = body.bool("inpaint_full_res").orElse(true);
        OptionalLong padding = body.integer("inpaint_full_res_padding", 0, Integer.MAX_VALUE);
        if (mask.isEmpty()) {
            MASK.stream().filter(body.json()::has).forEach(ignored::add);
            return modes;
        }
        modes.put("mask", dataUri(mask.get()));
        long x = blur.orElse(blurX.orElse(A1111_MASK_BLUR));
        long y = blur.orElse(blurY.orElse(A1111_MASK_BLUR));
        if (x != y) {
            body.problem(A1111Problem.of(A1111Problem.UNSUPPORTED_VALUE, "mask_blur_y", "mask_blur_x = " + x
                    + ", mask_blur_y = " + y + ": diffarm blurs a mask alike in both directions; expected them equal"));
        }
        modes.put("maskBlur", x);
        modes.put("inpaintingFill", FILLS.get((int) fill.orElse(0)));
        modes.put("inpaintingMaskInvert", invert.orElse(0) == 1);
        modes.put("inpaintFullRes", onlyMasked);
        if (onlyMasked) {
            modes.put("inpaintFullResPadding", padding.orElse(0));
        }
        return modes;
    }

    /**
     * A picture of A1111's request as the job's inline picture: a {@code data:} URI as sent, bare base64 with the media
     * type its first bytes show (JPEG's or else PNG's). Never a store key: a request names no stored object.
     */
    static String dataUri(String image) {
        if (image.startsWith(DATA_URI)) {
            return image;
        }
        return (image.startsWith("/9j/") ? "data:image/jpeg;base64," : "data:image/png;base64,") + image;
    }

    /** A1111's denoising strength when a request gives none: as {@link #img2img} and {@link #hires} send it. */
    static OptionalDouble denoisingStrength(ObjectNode modes) {
        JsonNode value = modes.get("denoisingStrength");
        return value == null ? OptionalDouble.empty() : OptionalDouble.of(value.doubleValue());
    }
}
