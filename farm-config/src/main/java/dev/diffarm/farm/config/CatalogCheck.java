package dev.diffarm.farm.config;

import java.util.List;

/** Reports every name in a job that the farm's {@link Catalog} does not know, with its field. */
final class CatalogCheck {
    /** Messages list at most this many known names. */
    private static final int NAMES_SHOWN = 20;

    private final Catalog catalog;
    private final Problems problems;

    CatalogCheck(Catalog catalog, Problems problems) {
        this.catalog = catalog;
        this.problems = problems;
    }

    void check(Job job) {
        job.accept(new Job.Visitor<Void>() {
            @Override
            public Void render(RenderJob render) {
                checkSettings(render.settings());
                return null;
            }

            @Override
            public Void campaign(Campaign campaign) {
                checkSettings(campaign.settings());
                List<Style> styles = campaign.styles();
                for (int i = 0; i < styles.size(); i++) {
                    checkLoras(FieldPath.index("styles", i) + ".loras", styles.get(i).loras());
                    checkControlNets(FieldPath.index("styles", i) + ".controlnets", styles.get(i).modes().controlNets());
                    checkHiresUpscaler(FieldPath.index("styles", i) + ".hrUpscaler", styles.get(i).modes());
                    checkUpscaleStep(FieldPath.index("styles", i) + ".upscale.upscaler", styles.get(i).modes());
                }
                return null;
            }

            @Override
            public Void merge(MergeJob merge) {
                check(Catalog.Kind.MODEL, "a", merge.a());
                check(Catalog.Kind.MODEL, "b", merge.b());
                merge.c().ifPresent(c -> check(Catalog.Kind.MODEL, "c", c));
                return null;
            }

            @Override
            public Void train(TrainJob train) {
                check(Catalog.Kind.MODEL, "model", train.model());
                return null;
            }

            @Override
            public Void upscale(UpscaleJob upscale) {
                check(Catalog.Kind.UPSCALER, "upscaler", upscale.upscaler());
                checkRenderFields(upscale);
                return null;
            }
        });
    }

    private void checkSettings(RenderSettings settings) {
        check(Catalog.Kind.MODEL, "model", settings.model());
        check(Catalog.Kind.SAMPLER, "sampler", settings.sampler());
        settings.schedule().ifPresent(schedule -> check(Catalog.Kind.SCHEDULE, "schedule", schedule));
        checkLoras("loras", settings.loras());
        checkControlNets("controlnets", settings.modes().controlNets());
        checkHiresUpscaler("hrUpscaler", settings.modes());
        checkUpscaleStep("upscale.upscaler", settings.modes());
    }

    /** An upscale step's upscaler: one of the farm's, as an upscale job's. */
    private void checkUpscaleStep(String field, ImageModes modes) {
        modes.upscale().ifPresent(step -> check(Catalog.Kind.UPSCALER, field, step.upscaler()));
    }

    /**
     * An upscale's render fields: for an SD x4 upscaler its sampler must be the farm's; an image upscaler the farm has
     * takes none, and the first given is named.
     */
    private void checkRenderFields(UpscaleJob upscale) {
        SdUpscaleFields fields = upscale.diffusion();
        List<String> given = fields.given();
        if (given.isEmpty() || !catalog.knows(Catalog.Kind.UPSCALER, upscale.upscaler())) {
            return;
        }
        if (catalog.knows(Catalog.Kind.DIFFUSION_UPSCALER, upscale.upscaler())) {
            fields.sampler().ifPresent(sampler -> check(Catalog.Kind.SAMPLER, "sampler", sampler));
            return;
        }
        String field = given.get(0);
        List<String> pipelines = catalog.names(Catalog.Kind.DIFFUSION_UPSCALER);
        problems.report(ValidationError.of(ValidationError.Code.INVALID_VALUE, field, fields.shown(field),
                "no render fields with the image upscaler " + Json.show(upscale.upscaler()) + " (given: "
                        + String.join(", ", given) + "); only an SD x4 upscaler takes them"
                        + (pipelines.isEmpty() ? "" : " (this farm has: " + String.join(", ", pipelines) + ")")));
    }

    /** A hires pass's upscaler: a latent one, or an image upscaler of the farm (an SD x4 upscaler is no hires one). */
    private void checkHiresUpscaler(String field, ImageModes modes) {
        modes.hires().map(HiresSettings::upscaler).filter(name -> !Limits.HIRES_UPSCALERS.contains(name))
                .filter(name -> !catalog.knows(Catalog.Kind.UPSCALER, name)
                        || isDiffusionUpscaler(name))
                .ifPresent(name -> problems.report(ValidationError.of(ValidationError.Code.UNKNOWN_NAME, field,
                        Json.show(name), "a hires upscaler this farm has" + listing(java.util.stream.Stream.concat(
                                Limits.HIRES_UPSCALERS.stream(), catalog.names(Catalog.Kind.UPSCALER).stream())
                                .toList()))));
    }

    /** Whether the catalog lists {@code name} as an SD x4 upscaler (a catalog that does not list them says no). */
    private boolean isDiffusionUpscaler(String name) {
        return catalog.names(Catalog.Kind.DIFFUSION_UPSCALER).contains(name);
    }

    private void checkControlNets(String path, List<ControlNetUnit> units) {
        for (int i = 0; i < units.size(); i++) {
            check(Catalog.Kind.CONTROLNET, FieldPath.index(path, i) + ".model", units.get(i).model());
            check(Catalog.Kind.PREPROCESSOR, FieldPath.index(path, i) + ".module", units.get(i).module());
        }
    }

    private void checkLoras(String path, List<Lora> loras) {
        for (int i = 0; i < loras.size(); i++) {
            check(Catalog.Kind.LORA, FieldPath.index(path, i) + ".name", loras.get(i).name());
        }
    }

    private void check(Catalog.Kind kind, String field, String name) {
        if (!catalog.knows(kind, name)) {
            problems.report(ValidationError.of(ValidationError.Code.UNKNOWN_NAME, field, Json.show(name),
                    kind.withArticle() + " this farm has" + listing(catalog.names(kind))));
        }
    }

    private static String listing(List<String> names) {
        if (names.isEmpty()) {
            return "";
        }
        String shown = String.join(", ", names.subList(0, Math.min(names.size(), NAMES_SHOWN)));
        return ": " + shown + (names.size() > NAMES_SHOWN ? " and " + (names.size() - NAMES_SHOWN) + " more" : "");
    }
}
