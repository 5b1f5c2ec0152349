package dev.diffarm.engine.pipeline;

import dev.diffarm.api.Progress;
import dev.diffarm.engine.embedding.EmbeddingLibrary;
import dev.diffarm.engine.image.GenerationParameters;
import dev.diffarm.engine.image.NamedHash;
import dev.diffarm.engine.lora.ActiveLoras;
import dev.diffarm.engine.lora.LoraRequest;
import dev.diffarm.engine.nn.Autograd;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A request checked by the {@link Generator}, ready to run on a model: the prompt without its tags, the sampler
 * selected, every LoRA (the caller's, then the prompt's) found. {@link #run} fuses the LoRAs for the render only,
 * renders, and writes each image's infotext.
 */
public final class GenerationPlan {
    private final GenerationRequest request;
    private final String promptText;
    private final SamplerChoice sampler;
    private final List<LoraRequest> loras;
    private final EmbeddingLibrary embeddings;

    GenerationPlan(GenerationRequest request, String promptText, SamplerChoice sampler, List<LoraRequest> loras,
                   EmbeddingLibrary embeddings) {
        this.request = request;
        this.promptText = promptText;
        this.sampler = sampler;
        this.loras = List.copyOf(loras);
        this.embeddings = embeddings;
    }

    /** Every LoRA the run fuses, in order: the request's, then those its prompt's tags name. */
    public List<LoraRequest> loras() {
        return loras;
    }

    /**
     * Renders on {@code model}, whose weights are its own again when this returns.
     *
     * @param modelHash the model's short hash, for the infotext
     * @param progress  told of every sampling step; once cancelled, the run stops before its next step
     * @throws IOException                           if a LoRA file cannot be read
     * @throws dev.diffarm.engine.lora.LoraException if a LoRA does not fit the model
     * @throws java.util.concurrent.CancellationException when {@code progress} was cancelled
     */
    public Generation run(StableDiffusion model, String modelHash, Progress progress) throws IOException {
        return run(model, modelHash, progress, ControlNetSource.loadPerRun(model.placement()));
    }

    /**
     * As {@link #run(StableDiffusion, String, Progress)}, the units' ControlNets leased from {@code controlNets} (a
     * worker keeps them loaded between runs).
     *
     * @throws dev.diffarm.engine.model.ModelLoadException for a ControlNet that cannot be read, naming it
     */
    public Generation run(StableDiffusion model, String modelHash, Progress progress, ControlNetSource controlNets)
            throws IOException {
        // A render records no gradients: on a thread where libtorch's grad mode is still on (its default) the layers
        // would take their slower differentiable kernels.
        Autograd.offForThisThread();
        try (ActiveLoras active = ActiveLoras.activate(model, loras);
             LoadedControlNets units = new LoadedControlNets(request.controlNets(), controlNets)) {
            Rendering rendering = new Renderer(model, embeddings, units.units())
                    .render(request, promptText, sampler, progress);
            return images(rendering, controlParameters(parameters(model, modelHash, rendering, active), units),
                    active);
        }
    }

    /**
     * {@code rendering}'s images with their infotext, rendered on {@code model} with {@code active} fused and no
     * ControlNet (a plan with units renders alone, see {@link GenerationBatch#key}).
     */
    Generation generation(StableDiffusion model, String modelHash, Rendering rendering, ActiveLoras active) {
        return images(rendering, parameters(model, modelHash, rendering, active), active);
    }

    /** {@code rendering}'s images, each with {@code parameters} as its infotext (and its position in a batch). */
    private Generation images(Rendering rendering, GenerationParameters parameters, ActiveLoras active) {
        List<Generation.Image> images = new ArrayList<>();
        for (int i = 0; i < rendering.images().size(); i++) {
            GenerationParameters image = request.batch() == 1 ? parameters
                    : parameters.with("Batch size", String.valueOf(request.batch())).with("Batch pos", String.valueOf(i));
            images.add(new Generation.Image(rendering.images().get(i), image.toInfotext()));
        }
        return new Generation(images, rendering.latents(), rendering.latentShape(), active.warnings());
    }

    GenerationRequest request() {
        return request;
    }

    /** The prompt without its extra-network tags. */
    String promptText() {
        return promptText;
    }

    SamplerChoice sampler() {
        return sampler;
    }

    EmbeddingLibrary embeddings() {
        return embeddings;
    }

    /** The fields A1111 writes for img2img, inpainting and the hires fix. */
    private GenerationParameters modeParameters(GenerationParameters parameters) {
        if (request.init().isPresent()) {
            parameters = parameters.with("Denoising strength",
                    GenerationParameters.number(request.init().get().strength()));
        }
        if (request.mask().isPresent()) {
            InpaintMask mask = request.mask().get();
            parameters = parameters.with("Mask blur", String.valueOf(mask.blur()));
            if (mask.onlyMaskedPadding().isPresent()) {
                parameters = parameters.with("Inpaint area", "Only masked")
                        .with("Masked area padding", String.valueOf(mask.onlyMaskedPadding().getAsInt()));
            }
        }
        if (request.hires().isPresent()) {
            HiresFix hires = request.hires().get();
            parameters = parameters.with("Denoising strength", GenerationParameters.number(hires.denoisingStrength()))
                    .with("Hires upscale", GenerationParameters.number(hires.scale()));
            if (hires.steps() > 0) {
                parameters = parameters.with("Hires steps", String.valueOf(hires.steps()));
            }
            parameters = parameters.with("Hires upscaler", hires.upscaler().label());
            if (hires.stepsRule() != StepsRule.A1111) {
                parameters = parameters.with("Hires steps rule", hires.stepsRule().label());
            }
        }
        return parameters;
    }

    /** sd-webui-controlnet's field for each unit, after A1111's own. */
    private static GenerationParameters controlParameters(GenerationParameters parameters, LoadedControlNets loaded) {
        List<ControlSignal.Unit> units = loaded.units();
        for (int i = 0; i < units.size(); i++) {
            parameters = parameters.with(ControlNetInfotext.key(i), ControlNetInfotext.describe(units.get(i)));
        }
        return parameters;
    }

    /** A1111's infotext fields for every image of the run (batch position aside). */
    private GenerationParameters parameters(StableDiffusion model, String modelHash, Rendering rendering,
                                            ActiveLoras active) {
        GenerationParameters parameters = new GenerationParameters(request.prompt(), request.negativePrompt(),
                request.steps(), sampler.samplerName(), request.cfgScale(), request.seed(), request.width(),
                request.height(), modelHash, model.name())
                .withScheduleType(sampler.scheduleType())
                .withClipSkip(request.clipSkip())
                .withEmphasis(request.emphasis())
                .withTextualInversionHashes(rendering.embeddings().stream()
                        .map(e -> new NamedHash(e.name(), e.file().shortHash())).toList());
        if (request.eta().isPresent()) {
            parameters = parameters.with("Eta", GenerationParameters.number(request.eta().getAsDouble()));
        }
        parameters = modeParameters(parameters);
        Optional<String> loraHashes = active.infotextHashes();
        return loraHashes.isPresent() ? parameters.with("Lora hashes", loraHashes.get()) : parameters;
    }
}
