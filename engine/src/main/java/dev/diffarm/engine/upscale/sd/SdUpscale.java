package dev.diffarm.engine.upscale.sd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.api.Progress;
import dev.diffarm.api.Sampler;
import dev.diffarm.api.image.Picture;
import dev.diffarm.engine.embedding.EmbeddingLibrary;
import dev.diffarm.engine.image.GenerationParameters;
import dev.diffarm.engine.image.NamedHash;
import dev.diffarm.engine.nn.Autograd;
import dev.diffarm.engine.pipeline.Conditioning;
import dev.diffarm.engine.pipeline.GenerationRequest;
import dev.diffarm.engine.pipeline.GuidedDenoiser;
import dev.diffarm.engine.pipeline.PromptEncoder;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.pipeline.StepTracker;
import dev.diffarm.engine.random.TorchGenerator;
import dev.diffarm.engine.sampler.SamplerRegistry;
import dev.diffarm.engine.schedule.Schedule;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Supplier;

/**
 * The SD x4 upscaler as diffusers 0.29.2's {@code StableDiffusionUpscalePipeline} runs it, for the CLI and the daemon
 * alike:
 * <ol>
 * <li>the prompts encoded as for any render ([negative; prompt] with guidance);</li>
 * <li>the low-res picture mapped to [-1, 1] and noised to the noise level by the {@code low_res_scheduler}, with
 *     the generator's first draw (the picture's shape);</li>
 * <li>the initial latents, the generator's second draw, at the picture's own size (the VAE makes it x4);</li>
 * <li>every step: the UNet sees the scaled latents with the noised picture appended as 3 more channels, and the
 *     noise level as its class label (in both halves of the guided batch); it predicts what the model's scheduler
 *     config says (v for SD x4);</li>
 * <li>the VAE decode of {@code latents / scaling_factor} mapped to [0, 1].</li>
 * </ol>
 * Any sampler works; the upscaler's own scheduler config (DDIM for SD x4) gives the noise levels.
 */
public final class SdUpscale {
    private final Supplier<SamplerRegistry> samplers;
    private final EmbeddingLibrary embeddings;

    /**
     * @param samplers   the samplers and schedules to select from
     * @param embeddings the textual-inversion embeddings prompts may trigger
     */
    public SdUpscale(Supplier<SamplerRegistry> samplers, EmbeddingLibrary embeddings) {
        this.samplers = samplers;
        this.embeddings = embeddings;
    }

    /**
     * Upscales {@code request.lowRes()} by the model's scale factor.
     *
     * @param modelHash the model's short hash ({@link dev.diffarm.engine.image.ModelHash#shortHash}), for the infotext
     * @param progress  told of every sampling step; once cancelled, the run stops before its next UNet call
     * @throws IllegalArgumentException for an unknown sampler, a noise level above the model's maximum or a picture
     *                                  size the model cannot take (each naming the field and what was expected)
     * @throws java.util.concurrent.CancellationException when {@code progress} was cancelled
     */
    public SdUpscaleResult upscale(SdUpscaleModel upscaler, String modelHash, SdUpscaleRequest request,
                                   Progress progress) {
        SamplerRegistry registry = samplers.get();
        SamplerRegistry.Selection selection = registry.resolve(request.sampler(), Optional.empty());
        Sampler sampler = registry.sampler(selection, OptionalDouble.empty());
        checkFits(upscaler, request);
        StableDiffusion model = upscaler.model();
        Picture lowRes = request.lowRes();
        Autograd.offForThisThread();
        try (NDManager job = model.newManager()) {
            PromptEncoder prompts = new PromptEncoder(model.tokenizer(), model.textModel(), embeddings);
            Conditioning conditioning = prompts.conditioning(job, request.prompt(), request.negativePrompt(),
                    request.steps(), 1, request.emphasis(), 1);
            Schedule schedule = model.schedule(sampler, selection.schedule().map(SamplerRegistry.ScheduleEntry::schedule),
                    request.steps());
            TorchGenerator generator = new TorchGenerator(request.seed());
            NDArray image = lowRes.toBatch(job).mul(2f).sub(1f);
            NDArray noisedImage = upscaler.lowResNoise().noised(image, generator.next(job, image.getShape()),
                    request.noiseLevel());
            Shape latentShape = new Shape(1, model.vae().config().latentChannels(), lowRes.height(), lowRes.width());
            NDArray x = generator.next(job, latentShape).mul((float) schedule.initNoiseSigma());
            StepTracker steps = new StepTracker(progress);
            GuidedDenoiser denoiser = new GuidedDenoiser(model.unet(), conditioning, request.cfgScale(),
                    sigma -> (float) schedule.timestepOf(sigma), steps, progress)
                    .withExtraChannels(noisedImage)
                    .withClassLabel(request.noiseLevel())
                    .withPrediction(model.prediction());
            NDArray sampled = sampler.sample(denoiser, x, schedule.sigmas(), generator, steps);
            NDArray latents = sampled.div((float) schedule.latentForm().toSigmaForm(schedule.sigmas().last()));
            NDArray decoded = model.vae().decode(latents.div((float) model.vae().config().scalingFactor()))
                    .mul(0.5f).add(0.5f).clip(0f, 1f);
            Picture out = Picture.of(decoded);
            String infotext = parameters(upscaler, modelHash, request, selection, out, conditioning).toInfotext();
            return new SdUpscaleResult(out, infotext, latents.toFloatArray(), latents.getShape().getShape());
        }
    }

    /** The request's noise level and picture size against what {@code upscaler} takes. */
    static void checkFits(SdUpscaleModel upscaler, SdUpscaleRequest request) {
        int maxLevel = upscaler.highestNoiseLevel();
        if (request.noiseLevel() > maxLevel) {
            throw new IllegalArgumentException("noise level = " + request.noiseLevel() + ": expected 0.." + maxLevel
                    + " (the upscaler's max_noise_level)");
        }
        Picture lowRes = request.lowRes();
        int factor = upscaler.scale();
        if (lowRes.width() % factor != 0 || lowRes.height() % factor != 0) {
            throw new IllegalArgumentException("low-res picture size = " + lowRes.width() + "x" + lowRes.height()
                    + ": expected multiples of the upscaler's VAE scale factor " + factor
                    + " (crop or pad it; diffusers would resize it)");
        }
        int maxSide = GenerationRequest.MAX_SIDE / factor;
        if (lowRes.width() > maxSide || lowRes.height() > maxSide) {
            throw new IllegalArgumentException("low-res picture size = " + lowRes.width() + "x" + lowRes.height()
                    + ": expected at most " + maxSide + " pixels a side (" + GenerationRequest.MAX_SIDE
                    + " after x" + factor + "; larger pictures need tiling)");
        }
    }

    /** A1111's infotext fields, at the output's size, with the noise level. */
    private static GenerationParameters parameters(SdUpscaleModel upscaler, String modelHash, SdUpscaleRequest request,
                                                   SamplerRegistry.Selection selection, Picture out,
                                                   Conditioning conditioning) {
        return new GenerationParameters(request.prompt(), request.negativePrompt(), request.steps(),
                selection.sampler().name(), request.cfgScale(), request.seed(), out.width(), out.height(), modelHash,
                upscaler.model().name())
                .withScheduleType(selection.schedule().map(SamplerRegistry.ScheduleEntry::name))
                .withEmphasis(request.emphasis())
                .withTextualInversionHashes(conditioning.embeddings().stream()
                        .map(e -> new NamedHash(e.name(), e.file().shortHash())).toList())
                .with("Noise level", String.valueOf(request.noiseLevel()))
                .with("Upscale by", String.valueOf(upscaler.scale()));
    }
}
