package dev.diffarm.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.api.Progress;
import dev.diffarm.engine.embedding.EmbeddingLibrary;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.random.TorchGenerator;
import dev.diffarm.engine.schedule.Schedule;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every mode of a {@link GenerationRequest} as diffusers' pipelines compute it, in one path:
 * <ul>
 * <li>txt2img ({@code StableDiffusionPipeline}): seeded noise scaled to the first level, the whole schedule;</li>
 * <li>img2img ({@code StableDiffusionImg2ImgPipeline}): the init image's VAE posterior sample (drawn from the job's
 *     generator first) times the scaling factor, noised to the level of the first step run, the last
 *     {@code int(steps * strength)} steps;</li>
 * <li>inpainting ({@code StableDiffusionInpaintPipeline}, {@link Inpainting}): as img2img, plus the masked image's
 *     posterior draw; a 4-channel UNet has the kept area put back after every step, a 9-channel one sees the mask
 *     and the masked image's latents as extra input channels;</li>
 * <li>a hires pass ({@link HiresFix}): the first pass's latents enlarged, then img2img on them from the generator
 *     seeded again, as A1111's {@code sample_hr_pass}.</li>
 * </ul>
 * ControlNet units ({@code StableDiffusionControlNetPipeline}) add their residuals to the UNet in every pass, their
 * maps made at the pass's size ({@link ControlSignal}).
 * Then the VAE decode of {@code latents / scaling_factor} mapped to [0, 1]. Prompts are read as AUTOMATIC1111 reads
 * them ({@link PromptEncoder}), after the {@link Generator} took their {@code <lora:...>} tags out.
 *
 * <p>Every array a render allocates lives in its own manager, closed when the render returns; each job has its own
 * generator.
 */
final class Renderer {
    private final StableDiffusion model;
    private final PromptEncoder prompts;
    private final List<ControlSignal.Unit> controlNets;

    /**
     * @param model       the model, with the request's LoRAs fused in
     * @param embeddings  the textual-inversion embeddings prompts may trigger
     * @param controlNets the request's ControlNet units with their models loaded, in order
     */
    Renderer(StableDiffusion model, EmbeddingLibrary embeddings, List<ControlSignal.Unit> controlNets) {
        this.model = model;
        this.prompts = new PromptEncoder(model.tokenizer(), model.textModel(), embeddings);
        for (ControlSignal.Unit unit : controlNets) {
            int factor = unit.controlNet().model().config().scaleFactor();
            if (factor != model.scaleFactor()) {
                throw new IllegalArgumentException("ControlNet " + unit.controlNet().path() + " shrinks its control "
                        + "image by " + factor + " (conditioning_embedding_out_channels " + unit.controlNet().model()
                        .config().conditioningEmbedding() + "); expected the model's VAE factor " + model.scaleFactor());
            }
        }
        this.controlNets = List.copyOf(controlNets);
    }

    /**
     * @param request    the request's numbers, negative prompt and modes
     * @param promptText the prompt without its extra-network tags
     * @param choice     the sampler and schedule the request selected
     */
    Rendering render(GenerationRequest request, String promptText, SamplerChoice choice, Progress progress) {
        int classes = model.unet().config().numClassEmbeds();
        if (classes > 0) {
            throw new IllegalArgumentException("model " + model.path() + ": its UNet takes a class label (num_class_embeds = "
                    + classes + ") as the SD x4 upscaler's takes the noise level; it cannot render, it upscales "
                    + "(upscale --upscaler " + model.path() + ")");
        }
        Optional<InpaintMask> onlyMasked = request.mask().filter(mask -> mask.onlyMaskedPadding().isPresent());
        if (onlyMasked.isPresent()) {
            InpaintMask mask = onlyMasked.get();
            OnlyMasked box = OnlyMasked.around(mask, mask.onlyMaskedPadding().getAsInt(), request.width(),
                    request.height());
            Rendering inside = renderWhole(box.crop(request), promptText, choice, progress);
            RgbImage original = request.init().orElseThrow().image();
            return inside.withImages(inside.images().stream().map(image -> box.paste(image, original, mask)).toList());
        }
        return renderWhole(request, promptText, choice, progress);
    }

    /** The request on its whole init image (or none). */
    private Rendering renderWhole(GenerationRequest request, String promptText, SamplerChoice choice,
                                  Progress progress) {
        int factor = model.scaleFactor();
        checkSize(request.width(), request.height(), factor, "size");
        try (NDManager job = model.newManager()) {
            Pass first = new Pass(job, request, promptText, choice, progress, request.steps());
            TorchGenerator generator = new TorchGenerator(request.seed());
            Shape latentShape = latentShape(request.batch(), request.width(), request.height());
            NDArray latents;
            if (request.init().isEmpty()) {
                Schedule schedule = first.schedule(request.steps());
                NDArray x = generator.next(job, latentShape).mul((float) schedule.initNoiseSigma());
                latents = first.sample(schedule, x, generator, first.denoiser(schedule), Optional.empty());
            } else {
                latents = startingFromImage(job, first, request, generator, latentShape);
            }
            if (request.hires().isPresent()) {
                latents = hiresPass(job, request, promptText, choice, progress, latents);
            }
            return new Rendering(latents.toFloatArray(), latents.getShape().getShape(), decode(latents),
                    first.conditioning.embeddings());
        }
    }

    /** img2img or inpainting: the init image encoded, noised to the first level run, then sampled. */
    private NDArray startingFromImage(NDManager job, Pass pass, GenerationRequest request, TorchGenerator generator,
                                      Shape latentShape) {
        InitImage init = request.init().orElseThrow();
        RgbImage picture = init.fitted(request.width(), request.height());
        NDArray image = toModelInput(job, picture);
        StepsRule.StepCut cut = StepsRule.DIFFUSERS.cut(request.steps(), init.strength());
        Schedule schedule = pass.schedule(cut.total()).from(cut.start());
        Optional<float[]> binaryMask = request.mask().map(InpaintMask::binary);
        Optional<Inpainting> inpainting = binaryMask
                .map(mask -> new Inpainting(model, job, mask, request.width(), request.height(), request.batch()));
        boolean pureNoise = inpainting.isPresent() && cut.start() == 0;
        // diffusers encodes the init image unless inpainting at strength 1 with an inpainting UNet, which needs it not
        boolean encode = !pureNoise || inpainting.map(Inpainting::blendsLatents).orElse(false);
        NDArray imageLatents = null;
        if (encode) {
            MaskedContent content = request.mask().map(InpaintMask::content).orElse(MaskedContent.ORIGINAL);
            NDArray start = binaryMask.isEmpty() ? image
                    : toModelInput(job, content.picture(picture, binaryMask.get()));
            imageLatents = repeat(encode(job, start, generator), request.batch());
            if (inpainting.isPresent()) {
                imageLatents = content.latents(imageLatents, inpainting.get().latentMask(), request.seed());
            }
        }
        NDArray noise = generator.next(job, latentShape);
        NDArray x = pureNoise ? noise.mul((float) schedule.initNoiseSigma())
                : imageLatents.add(noise.mul((float) schedule.sigmas().max()));
        if (inpainting.isEmpty()) {
            return pass.sample(schedule, x, generator, pass.denoiser(schedule), Optional.empty());
        }
        Inpainting inpaint = inpainting.get();
        // diffusers encodes the masked image after drawing the noise, for either UNet: its posterior draw comes next
        NDArray maskedImage = inpaint.maskedImage(image);
        if (inpaint.blendsLatents()) {
            generator.next(job, latentShape(1, request.width(), request.height()));
            return pass.sample(schedule, x, generator, pass.denoiser(schedule),
                    Optional.of(inpaint.blend(imageLatents, noise, schedule)));
        }
        NDArray maskedLatents = repeat(encode(job, maskedImage, generator), request.batch());
        return pass.sample(schedule, x, generator, pass.denoiser(schedule).withExtraChannels(inpaint.unetChannels(maskedLatents)),
                Optional.empty());
    }

    /** A1111's second pass: the latents enlarged, noised from a generator seeded again, the cut schedule run. */
    private NDArray hiresPass(NDManager job, GenerationRequest request, String promptText, SamplerChoice choice,
                              Progress progress, NDArray latents) {
        HiresFix hires = request.hires().orElseThrow();
        int width = hires.width(request.width());
        int height = hires.height(request.height());
        int factor = model.scaleFactor();
        checkSize(width, height, factor, "hires size");
        Shape hiresShape = latentShape(request.batch(), width, height);
        NDArray init;
        if (hires.upscaler() instanceof ImageHiresUpscaler pictures) {
            init = upscaledPictures(job, pictures, latents, width, height, request.seed(), progress);
        } else {
            LatentUpscaler latent = (LatentUpscaler) hires.upscaler();
            long[] shape = latents.getShape().getShape();
            init = job.create(latent.resize(latents.toFloatArray(), shape, height / factor, width / factor), hiresShape);
        }
        StepsRule.StepCut cut = hires.stepsRule().cut(hires.stepsFor(request.steps()), hires.denoisingStrength());
        Pass second = new Pass(job, request, promptText, choice, progress,
                hires.stepsFor(request.steps()));
        Schedule schedule = second.schedule(cut.total()).from(cut.start());
        TorchGenerator generator = new TorchGenerator(request.seed());
        NDArray x = init.add(generator.next(job, hiresShape).mul((float) schedule.sigmas().max()));
        return second.sample(schedule, x, generator, second.denoiser(schedule), Optional.empty());
    }

    /**
     * The first pass's latents decoded, each picture enlarged by the upscaler plugin and encoded again. A1111 draws
     * the encoder's posterior sample from torch's global generator, whose state no request fixes; here it comes from a
     * generator of its own seeded with the request's seed, so the result is reproducible and the second pass's noise
     * is the same as with a latent upscaler.
     */
    private NDArray upscaledPictures(NDManager job, ImageHiresUpscaler upscaler, NDArray latents, int width, int height,
                                     long seed, Progress progress) {
        Progress cancellation = new Progress() {
            @Override
            public boolean isCancelled() {
                return progress.isCancelled();
            }
        };
        TorchGenerator posterior = new TorchGenerator(seed);
        List<NDArray> encoded = new ArrayList<>();
        for (RgbImage image : decode(latents)) {
            RgbImage big = upscaler.resize(image, width, height, cancellation);
            encoded.add(encode(job, toModelInput(job, big), posterior));
        }
        return NDArrays.concat(new NDList(encoded.toArray(NDArray[]::new)), 0);
    }

    /** The VAE's posterior sample of {@code image} [1, 3, H, W] times the scaling factor; one draw of the latent's shape. */
    private NDArray encode(NDManager job, NDArray image, TorchGenerator generator) {
        Shape shape = latentShape(1, Math.toIntExact(image.getShape().get(3)), Math.toIntExact(image.getShape().get(2)));
        return model.vae().encode(image).sample(generator.next(job, shape))
                .mul((float) model.vae().config().scalingFactor());
    }

    private Shape latentShape(int batch, int width, int height) {
        return ModelLatents.shape(model, batch, width, height);
    }

    /** {@code image} as the VAE takes it: [1, 3, H, W] in [-1, 1]. */
    private static NDArray toModelInput(NDManager job, RgbImage image) {
        return image.toNDArray(job).mul(2f).sub(1f).expandDims(0);
    }

    static NDArray repeat(NDArray single, int batch) {
        if (batch == 1) {
            return single;
        }
        NDArray[] copies = new NDArray[batch];
        java.util.Arrays.fill(copies, single);
        return NDArrays.concat(new NDList(copies), 0);
    }

    static void checkSize(int width, int height, int factor, String what) {
        if (width % factor != 0 || height % factor != 0) {
            throw new IllegalArgumentException(what + " " + width + "x" + height
                    + ": expected multiples of the VAE's scale factor " + factor);
        }
    }

    /** The VAE's images of {@code latents}, in [0, 1]. */
    private List<RgbImage> decode(NDArray latents) {
        return ModelLatents.decode(model, latents);
    }

    /** One sampling pass's conditioning and schedule source. */
    private final class Pass {
        private final NDManager job;
        private final GenerationRequest request;
        private final SamplerChoice choice;
        private final Progress progress;
        private final Conditioning conditioning;
        private final StepTracker steps;
        private final Prediction prediction = model.prediction();

        /**
         * @param promptSteps the steps prompt editing counts in ({@code [a:b:0.5]}): the request's for the first
         *                    pass, the hires steps for the second, as A1111 counts them
         */
        Pass(NDManager job, GenerationRequest request, String promptText, SamplerChoice choice, Progress progress,
             int promptSteps) {
            this.job = job;
            this.request = request;
            this.choice = choice;
            this.progress = progress;
            this.conditioning = prompts.conditioning(job, promptText, request.negativePrompt(), promptSteps,
                    request.batch(), request.emphasis(), request.clipSkip());
            this.steps = new StepTracker(progress);
        }

        /** The request's sampler and schedule over {@code total} steps. */
        Schedule schedule(int total) {
            return choice.schedule(model, total);
        }

        /**
         * The model with guidance, at the timesteps of {@code timesteps}' levels, with the request's ControlNets
         * over its steps.
         */
        GuidedDenoiser denoiser(Schedule timesteps) {
            GuidedDenoiser guided = new GuidedDenoiser(model.unet(), conditioning, request.cfgScale(),
                    sigma -> (float) timesteps.timestepOf(sigma), steps, progress).withPrediction(prediction);
            return controlNets.isEmpty() ? guided : guided.withControl(
                    new ControlSignal(controlNets, model.scaleFactor(), job, steps, timesteps.sigmas().steps()));
        }

        /**
         * Samples {@code run} from {@code x} (sigma form); returns the latents in diffusers' form.
         *
         * @param blend what is put back after every step (inpainting with a 4-channel UNet), if anything
         */
        NDArray sample(Schedule run, NDArray x, TorchGenerator generator, GuidedDenoiser denoiser,
                       Optional<Inpainting.Blend> blend) {
            Progress reports = blend.<Progress>map(b -> b.around(steps)).orElse(steps);
            NDArray sampled = choice.sampler().sample(denoiser, x, run.sigmas(), generator, reports);
            return sampled.div((float) run.latentForm().toSigmaForm(run.sigmas().last()));
        }
    }
}
