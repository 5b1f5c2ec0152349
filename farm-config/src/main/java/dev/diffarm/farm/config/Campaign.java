package dev.diffarm.farm.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A job of kind {@value #KIND}: every style applied to every prompt, at every size, with every seed.
 * <pre>{@code
 * {"apiVersion": "diffarm/v1", "kind": "campaign", "id": "spring-launch", "model": "sd15",
 *  "prompts": ["a red sneaker", "a blue backpack"],
 *  "styles": [{"name": "studio", "template": "product photo of {prompt}, studio light"},
 *             {"name": "oil", "template": "oil painting of {prompt}", "negativePrompt": "photo"}],
 *  "sizes": [{"width": 512, "height": 512}, {"width": 768, "height": 512}],
 *  "seeds": [1, 2, 3]}
 * }</pre>
 * It takes the same settings as a {@link RenderJob} (model, negativePrompt, sampler, schedule, steps, cfg,
 * clipSkip, loras and the {@link ImageModes} fields, with the same defaults); {@code sizes} replaces {@code width}
 * and {@code height}.
 * {@code styles} defaults to one style, {@link Defaults#STYLE}, that leaves prompts as written; {@code sizes}
 * defaults to {@link Defaults#SIZE}. How a style changes a prompt and the settings is told in {@link Style}.
 *
 * @param id       the idempotency key (see {@link Job#id()})
 * @param prompts  what to render, at least one, each listed once
 * @param seeds    the seeds, at least one, each listed once; in JSON they default to one seed derived from
 *                 the id ({@link Defaults#seedFor})
 * @param sizes    the image sizes, at least one, each listed once
 * @param styles   the styles, at least one, no two with the same name
 * @param settings the settings every image shares before its style is applied
 */
public record Campaign(String id, List<String> prompts, List<Long> seeds, List<Size> sizes, List<Style> styles,
                       RenderSettings settings) implements ImageJob {
    /** The {@code kind} of a campaign. */
    public static final String KIND = "campaign";

    public Campaign {
        Rules.ID.require("id", id);
        prompts = List.copyOf(prompts);
        seeds = List.copyOf(seeds);
        sizes = List.copyOf(sizes);
        styles = List.copyOf(styles);
        Rules.requirePromptsAndSeeds(prompts, seeds);
        Rules.SIZES.check(Problems.THROWING, "sizes", sizes);
        Rules.STYLES.check(Problems.THROWING, "styles", styles);
        Objects.requireNonNull(settings, "settings");
        checkTaskCount(Problems.THROWING, styles.size(), prompts.size(), sizes.size(), seeds.size());
        checkMergedNegativePrompts(Problems.THROWING, styles, settings.negativePrompt());
        checkStyledModes(Problems.THROWING, styles, settings.modes(), sizes);
    }

    /**
     * Each style's modes laid over the campaign's must go together and work at every size: reported at the
     * style ({@code styles[1].initImage}), or at the top level for the campaign's own.
     */
    static void checkStyledModes(Problems problems, List<Style> styles, ImageModes modes, List<Size> sizes) {
        sizes.forEach(size -> modes.checkSize(problems, "", size));
        for (int i = 0; i < styles.size(); i++) {
            Style style = styles.get(i);
            String path = FieldPath.index("styles", i);
            if (!style.modes().isNone() && style.modes().checkOver(problems, path, modes)) {
                ImageModes styled = style.modes().over(modes);
                sizes.forEach(size -> styled.checkSize(problems, path, size));
            }
        }
    }

    static void checkTaskCount(Problems problems, int styles, int prompts, int sizes, int seeds) {
        Rules.checkTaskCount(problems, "styles x prompts x sizes x seeds = " + styles + " x " + prompts + " x " + sizes
                + " x " + seeds, (long) styles * prompts * sizes * seeds);
    }

    /** A style's negative prompt merged with the campaign's must stay within the length of one. */
    static void checkMergedNegativePrompts(Problems problems, List<Style> styles, String negativePrompt) {
        for (int i = 0; i < styles.size(); i++) {
            Style style = styles.get(i);
            int merged = style.mergeNegativePrompt(negativePrompt).length();
            if (merged > Limits.MAX_TEXT_LENGTH) {
                problems.report(ValidationError.of(ValidationError.Code.INVALID_VALUE,
                        FieldPath.index("styles", i) + ".negativePrompt", Json.show(style.negativePrompt()),
                        "at most " + Limits.MAX_TEXT_LENGTH + " characters once merged with negativePrompt (it has "
                                + merged + ")"));
            }
        }
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.campaign(this);
    }

    @Override
    public int taskCount() {
        return styles.size() * prompts.size() * sizes.size() * seeds.size();
    }

    /**
     * The tasks, style-major, then prompt, then size, then seed (the seed varies fastest). So the images of
     * one style come together, and within a style those of one prompt: the order in which people review a
     * campaign. With 2 styles, 2 prompts, 1 size and seeds {@code [1, 2]}: {@code t0000} style 0/prompt 0/seed 1,
     * {@code t0001} style 0/prompt 0/seed 2, {@code t0002} style 0/prompt 1/seed 1, ...,
     * {@code t0004} style 1/prompt 0/seed 1. Each task carries its style's name.
     */
    @Override
    public Plan plan() {
        List<TaskSpec> tasks = new ArrayList<>(taskCount());
        for (Style style : styles) {
            RenderSettings styled = style.applyTo(settings);
            for (String prompt : prompts) {
                String styledPrompt = style.applyToPrompt(prompt);
                for (Size size : sizes) {
                    for (long seed : seeds) {
                        tasks.add(new TaskSpec(id, tasks.size(), new TaskParameters(styledPrompt, seed, size, styled),
                                Optional.of(style.name())));
                    }
                }
            }
        }
        return new Plan(id, tasks);
    }
}
