package dev.diffarm.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.api.Progress;
import dev.diffarm.api.Sampler;
import dev.diffarm.engine.embedding.EmbeddingLibrary;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.prompt.ExtraNetworkTags;
import dev.diffarm.engine.random.TorchGenerator;
import dev.diffarm.engine.sampler.SamplerRegistry;
import dev.diffarm.engine.schedule.Schedule;
import dev.diffarm.engine.schedule.SchedulerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * txt2img as diffusers' {@code StableDiffusionPipeline} computes it: prompt embeddings, seeded initial noise
 * scaled to the first noise level, the sampler over the denoiser with classifier-free guidance, then the
 * VAE decode of {@code latents / scaling_factor} mapped to [0, 1]. Prompts are read as AUTOMATIC1111 reads
 * them ({@link PromptEncoder}); the prompt's {@code <lora:...>} tags are removed but not applied yet (as in
 * A1111, the negative prompt keeps its tags as text).
 *
 * <p>Every array a render allocates lives in its own manager, closed when the render returns; each job
 * has its own generator. Samplers and schedules come from the registry current at the start of each render.
 */
public final class TextToImage {
    private final StableDiffusion model;
    private final Supplier<SamplerRegistry> samplers;
    private final PromptEncoder prompts;

    /** A pipeline whose prompts trigger no textual-inversion embeddings. */
    public TextToImage(StableDiffusion model, Supplier<SamplerRegistry> samplers) {
        this(model, samplers, EmbeddingLibrary.none());
    }

    /**
     * @param model      the model
     * @param samplers   the samplers and schedules to select from, asked at each render ({@code SamplerPlugins}
     *                   rescans its directory then)
     * @param embeddings the textual-inversion embeddings prompts may trigger
     */
    public TextToImage(StableDiffusion model, Supplier<SamplerRegistry> samplers, EmbeddingLibrary embeddings) {
        this.model = model;
        this.samplers = samplers;
        this.prompts = new PromptEncoder(model.tokenizer(), model.textModel(), embeddings);
    }

    public Rendering render(RenderRequest request, Progress progress) {
        int factor = model.scaleFactor();
        if (request.width() % factor != 0 || request.height() % factor != 0) {
            throw new IllegalArgumentException("size " + request.width() + "x" + request.height()
                    + ": expected multiples of the VAE's scale factor " + factor);
        }
        SamplerRegistry registry = samplers.get();
        SamplerRegistry.Selection selection = registry.resolve(request.sampler(), request.schedule());
        Sampler sampler = registry.sampler(selection, request.eta());
        SchedulerConfig config = model.schedulerConfig(sampler.diffusers().schedulerClass(), sampler.diffusers().options());
        Schedule schedule = selection.schedule()
                .map(levels -> Schedule.of(config, request.steps(), levels.schedule()))
                .orElseGet(() -> Schedule.of(config, request.steps()));
        try (NDManager job = NDManager.newBaseManager()) {
            String prompt = ExtraNetworkTags.extract(request.prompt()).text();
            Conditioning conditioning = prompts.conditioning(job, prompt, request.negativePrompt(), request.steps(),
                    request.batch(), request.emphasis(), request.clipSkip());
            StepTracker steps = new StepTracker(progress);
            GuidedDenoiser denoiser = new GuidedDenoiser(model.unet(), conditioning, request.cfgScale(),
                    sigma -> (float) schedule.timestepOf(sigma), steps);

            TorchGenerator generator = new TorchGenerator(request.seed());
            Shape latentShape = new Shape(request.batch(), model.unet().config().inChannels(),
                    request.height() / factor, request.width() / factor);
            NDArray noise = generator.next(job, latentShape);
            NDArray x = noise.mul((float) schedule.initNoiseSigma());
            NDArray sampled = sampler.sample(denoiser, x, schedule.sigmas(), generator, steps);
            NDArray latents = sampled.div((float) schedule.latentForm().toSigmaForm(schedule.sigmas().last()));
            return new Rendering(latents.toFloatArray(), latentShape.getShape(), decode(latents),
                    conditioning.embeddings());
        }
    }

    /** The VAE's images of {@code latents}, in [0, 1]. */
    private List<RgbImage> decode(NDArray latents) {
        NDArray images = model.vae().decode(latents.div((float) model.vae().config().scalingFactor()))
                .mul(0.5f).add(0.5f).clip(0f, 1f);
        List<RgbImage> out = new ArrayList<>();
        for (int i = 0; i < images.getShape().get(0); i++) {
            out.add(RgbImage.of(images.get(i)));
        }
        return out;
    }
}
