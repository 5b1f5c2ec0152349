package dev.diffarm.engine.pipeline;

import dev.diffarm.api.Progress;
import dev.diffarm.engine.embedding.EmbeddingLibrary;
import dev.diffarm.engine.lora.LoraLibrary;
import dev.diffarm.engine.lora.LoraRequest;
import dev.diffarm.engine.prompt.ExtraNetworkTags;
import dev.diffarm.engine.sampler.SamplerRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The engine's one way to generate images: the CLI and the daemon map their inputs to a {@link GenerationRequest}
 * and get back the images with their infotext. {@link #plan} does what needs no model (reads the prompt's
 * {@code <lora:...>} tags, resolves the sampler registry, finds the LoRA files), so that a bad request fails
 * before a model is loaded; {@link GenerationPlan#run} does the rest.
 *
 * <pre>{@code
 * Generator generator = new Generator(plugins, EmbeddingLibrary.scan(dir), Optional.of(loraDir));
 * Generation generation = generator.generate(model, ModelHash.shortHash(model.path()), request, Progress.NONE);
 * }</pre>
 */
public final class Generator {
    private final Supplier<SamplerRegistry> samplers;
    private final EmbeddingLibrary embeddings;
    private final Optional<Path> loraDir;

    /** A generator whose prompts trigger no embeddings and whose tags name no LoRAs. */
    public Generator(Supplier<SamplerRegistry> samplers) {
        this(samplers, EmbeddingLibrary.none(), Optional.empty());
    }

    /**
     * @param samplers   the samplers and schedules to select from, asked once per plan ({@code SamplerPlugins}
     *                   rescans its directory then)
     * @param embeddings the textual-inversion embeddings prompts may trigger
     * @param loraDir    the folder where a prompt's {@code <lora:NAME:WEIGHT>} finds {@code NAME.safetensors}
     */
    public Generator(Supplier<SamplerRegistry> samplers, EmbeddingLibrary embeddings, Optional<Path> loraDir) {
        this.samplers = samplers;
        this.embeddings = embeddings;
        this.loraDir = loraDir;
    }

    /**
     * Everything of {@code request} that needs no model, checked.
     *
     * @throws IllegalArgumentException for an unknown sampler or schedule, an eta the sampler does not take, a
     *                                  malformed {@code <lora:...>} tag, or a tag without a LoRA folder
     * @throws dev.diffarm.engine.lora.LoraException for a tag naming a LoRA the folder does not have
     */
    public GenerationPlan plan(GenerationRequest request) {
        ExtraNetworkTags tags = ExtraNetworkTags.extract(request.prompt());
        SamplerChoice sampler = SamplerChoice.resolve(samplers.get(), request);
        List<LoraRequest> loras = new ArrayList<>(request.loras());
        loras.addAll(LoraLibrary.forTags(loraDir, tags.loras()));
        return new GenerationPlan(request, tags.text(), sampler, loras, embeddings);
    }

    /**
     * {@link #plan} and {@link GenerationPlan#run} in one.
     *
     * @param modelHash the model's short hash ({@link dev.diffarm.engine.image.ModelHash#shortHash}) for the infotext
     */
    public Generation generate(StableDiffusion model, String modelHash, GenerationRequest request, Progress progress)
            throws IOException {
        return plan(request).run(model, modelHash, progress);
    }
}
