package dev.diffarm.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.api.Progress;
import dev.diffarm.engine.embedding.EmbeddingLibrary;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.random.TorchGenerator;
import dev.diffarm.engine.schedule.Schedule;
import dev.diffarm.engine.schedule.SchedulerConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * txt2img as diffusers' {@code StableDiffusionPipeline} computes it: prompt embeddings, seeded initial noise
 * scaled to the first noise level, the sampler over the denoiser with classifier-free guidance, then the
 * VAE decode of {@code latents / scaling_factor} mapped to [0, 1]. Prompts are read as AUTOMATIC1111 reads
 * them ({@link PromptEncoder}), after the {@link Generator} took their {@code <lora:...>} tags out.
 *
 * <p>Every array a render allocates lives in its own manager, closed when the render returns; each job
 * has its own generator.
 */
final class TextToImage {
    private final StableDiffusion model;
    private final PromptEncoder prompts;

    /**
     * @param model      the model, with the request's LoRAs fused in
     * @param embeddings the textual-inversion embeddings prompts may trigger
     */
    TextToImage(StableDiffusion model, EmbeddingLibrary embeddings) {
        this.model = model;
        this.prompts = new PromptEncoder(model.tokenizer(), model.textModel(), embeddings);
    }

    /**
     * @param request    the request's numbers and negative prompt
     * @param promptText the prompt without its extra-network tags
     * @param choice     the sampler and schedule the request selected
     */
    Rendering render(GenerationRequest request, String promptText, SamplerChoice choice, Progress progress) {
        int factor = model.scaleFactor();
        if (request.width() % factor != 0 || request.height() % factor != 0) {
            throw new IllegalArgumentException("size " + request.width() + "x" + request.height()
                    + ": expected multiples of the VAE's scale factor " + factor);
        }
        SchedulerConfig config = model.schedulerConfig(choice.sampler().diffusers().schedulerClass(),
                choice.sampler().diffusers().options());
        Schedule schedule = choice.selection().schedule()
                .map(levels -> Schedule.of(config, request.steps(), levels.schedule()))
                .orElseGet(() -> Schedule.of(config, request.steps()));
        try (NDManager job = NDManager.newBaseManager()) {
            Conditioning conditioning = prompts.conditioning(job, promptText, request.negativePrompt(), request.steps(),
                    request.batch(), request.emphasis(), request.clipSkip());
            StepTracker steps = new StepTracker(progress);
            GuidedDenoiser denoiser = new GuidedDenoiser(model.unet(), conditioning, request.cfgScale(),
                    sigma -> (float) schedule.timestepOf(sigma), steps);

            TorchGenerator generator = new TorchGenerator(request.seed());
            Shape latentShape = new Shape(request.batch(), model.unet().config().inChannels(),
                    request.height() / factor, request.width() / factor);
            NDArray noise = generator.next(job, latentShape);
            NDArray x = noise.mul((float) schedule.initNoiseSigma());
            NDArray sampled = choice.sampler().sample(denoiser, x, schedule.sigmas(), generator, steps);
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
