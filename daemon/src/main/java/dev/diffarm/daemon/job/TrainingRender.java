package dev.diffarm.daemon.job;

import dev.diffarm.api.Progress;
import dev.diffarm.daemon.render.ModelCache;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.pipeline.Generation;
import dev.diffarm.engine.pipeline.GenerationRequest;
import dev.diffarm.engine.pipeline.Generator;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.sampler.SamplerRegistry;
import dev.diffarm.farm.config.Defaults;
import java.io.IOException;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Supplier;

/**
 * The samples a train job renders while it learns: square, {@value Defaults#SAMPLER}, CFG {@value Defaults#CFG}, no
 * negative prompt, through the engine's {@link Generator} as a render job's images are; the PNG carries the same
 * {@code parameters} text.
 */
final class TrainingRender {
    private final Supplier<SamplerRegistry> samplers;
    private final ModelCache.LoadedModel model;

    TrainingRender(Supplier<SamplerRegistry> samplers, ModelCache.LoadedModel model) {
        this.samplers = samplers;
        this.model = model;
    }

    /** The PNG of {@code prompt} at {@code side} x {@code side} pixels, showing {@code weights}. */
    byte[] png(String prompt, long seed, int steps, int side, SampleWeights weights) throws IOException {
        GenerationRequest request = new GenerationRequest(prompt, "", Defaults.SAMPLER, Optional.empty(),
                OptionalDouble.empty(), steps, Defaults.CFG, seed, side, side, 1, Defaults.CLIP_SKIP, Emphasis.ORIGINAL,
                weights.loras());
        Generation generation = new Generator(samplers, weights.embeddings(), Optional.empty()).plan(request)
                .run(model.model(), model.shortHash(), Progress.NONE);
        Generation.Image image = generation.images().get(0);
        return PngWriter.encode(image.pixels(), image.infotext());
    }
}
