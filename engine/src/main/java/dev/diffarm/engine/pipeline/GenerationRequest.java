package dev.diffarm.engine.pipeline;

import dev.diffarm.engine.lora.LoraRequest;
import dev.diffarm.engine.prompt.Emphasis;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What to generate: one run of {@code batch} images sharing a prompt and a seed, as the CLI and the daemon both
 * ask the {@link Generator} for it. The modes are components of this record, not separate pipelines: without an
 * init image it is txt2img; with one, img2img; with an init image and a mask, inpainting (outpainting is inpainting
 * on an extended canvas, {@link Outpaint}); a hires pass may follow any of them. ControlNet units are a
 * component too, so that one request and one engine call keep serving every caller.
 *
 * @param prompt         the prompt in AUTOMATIC1111's syntax, its {@code <lora:NAME:WEIGHT>} tags included (the
 *                       {@link Generator} takes them out and applies them)
 * @param negativePrompt the negative prompt ("" for none); as in A1111 its tags stay text
 * @param sampler        a sampler name ({@code Euler a}, {@code DDIM}), optionally followed by a schedule
 * @param schedule       a noise schedule's name ({@code Karras}), or {@code default} for the model's own; empty
 *                       for the one the sampler name ends with ({@code DPM++ 2M Karras}), else the model's own
 * @param eta            the sampler's share of fresh noise per step, for DDIM and ancestral samplers; empty for the
 *                       sampler's default
 * @param steps          sampling steps, at least 1
 * @param cfgScale       classifier-free guidance scale; 1 turns guidance off
 * @param seed           seed of the job's generator (as {@code torch.Generator("cpu").manual_seed})
 * @param width          image width in pixels, a multiple of the VAE's scale factor
 * @param height         image height in pixels, a multiple of the VAE's scale factor
 * @param batch          images drawn from the one generator, as diffusers' {@code num_images_per_prompt}
 * @param clipSkip       1 for the text encoder's last layer, 2 for the penultimate (AUTOMATIC1111's numbering)
 * @param emphasis       whether the prompts' emphasis syntax is read (A1111's default) or is plain text
 * @param loras          LoRAs the caller resolved to files, fused before those the prompt's tags name
 * @param init           the picture img2img and inpainting start from; empty for txt2img
 * @param mask           where inpainting repaints the init image, at the request's size; empty for no inpainting
 * @param hires          a hires pass after the first; empty for none
 * @param controlNets    ControlNet units, in order, whose residuals add up in every pass; empty for none
 */
public record GenerationRequest(String prompt, String negativePrompt, String sampler, Optional<String> schedule,
                                OptionalDouble eta, int steps, double cfgScale, long seed, int width, int height,
                                int batch, int clipSkip, Emphasis emphasis, List<LoraRequest> loras,
                                Optional<InitImage> init, Optional<InpaintMask> mask, Optional<HiresFix> hires,
                                List<ControlUnit> controlNets) {

    public static final int MAX_SIDE = 4096;
    public static final int MAX_STEPS = 1000;
    public static final int MAX_BATCH = 64;
    /** sd-webui-controlnet's most units ("Multi-ControlNet: ControlNet unit number" up to 10). */
    public static final int MAX_CONTROLNETS = 10;

    public GenerationRequest {
        require(prompt != null, "prompt", null, "a string");
        negativePrompt = negativePrompt == null ? "" : negativePrompt;
        require(sampler != null && !sampler.isBlank(), "sampler", sampler, "a sampler name");
        schedule = schedule == null ? Optional.empty() : schedule;
        eta = eta == null ? OptionalDouble.empty() : eta;
        if (eta.isPresent()) {
            require(Double.isFinite(eta.getAsDouble()), "eta", eta.getAsDouble(), "a finite number");
        }
        require(steps >= 1 && steps <= MAX_STEPS, "steps", steps, "1.." + MAX_STEPS);
        require(Double.isFinite(cfgScale) && cfgScale >= 0 && cfgScale <= 100, "cfg", cfgScale, "a number in 0..100");
        require(width >= 8 && width <= MAX_SIDE, "width", width, "8.." + MAX_SIDE + " pixels");
        require(height >= 8 && height <= MAX_SIDE, "height", height, "8.." + MAX_SIDE + " pixels");
        require(batch >= 1 && batch <= MAX_BATCH, "batch", batch, "1.." + MAX_BATCH);
        require(clipSkip >= 1, "clip skip", clipSkip, "1 or more");
        require(emphasis != null, "emphasis", null, "an emphasis mode");
        loras = loras == null ? List.of() : List.copyOf(loras);
        init = init == null ? Optional.empty() : init;
        mask = mask == null ? Optional.empty() : mask;
        hires = hires == null ? Optional.empty() : hires;
        controlNets = controlNets == null ? List.of() : List.copyOf(controlNets);
        require(controlNets.size() <= MAX_CONTROLNETS, "controlnets", controlNets.size() + " units",
                "at most " + MAX_CONTROLNETS);
        require(mask.isEmpty() || init.isPresent(), "mask", "a mask", "an init image to inpaint");
        if (mask.isPresent()) {
            InpaintMask m = mask.get();
            if (m.onlyMaskedPadding().isPresent()) {
                int w = init.get().image().width();
                int h = init.get().image().height();
                require(m.width() == w && m.height() == h, "mask size", m.width() + "x" + m.height(),
                        "the init image's size " + w + "x" + h + " (only masked)");
            } else {
                require(m.width() == width && m.height() == height, "mask size", m.width() + "x" + m.height(),
                        "the request's size " + width + "x" + height);
            }
        }
        if (hires.isPresent()) {
            require(init.isEmpty(), "hires", "a hires pass", "no init image: as in A1111, the hires fix follows txt2img");
            HiresFix h = hires.get();
            require(h.width(width) <= MAX_SIDE && h.height(height) <= MAX_SIDE, "hires size",
                    h.width(width) + "x" + h.height(height), "at most " + MAX_SIDE + " pixels a side");
        }
    }

    /** A txt2img request on the given schedule, eta and LoRAs. */
    public GenerationRequest(String prompt, String negativePrompt, String sampler, Optional<String> schedule,
                             OptionalDouble eta, int steps, double cfgScale, long seed, int width, int height,
                             int batch, int clipSkip, Emphasis emphasis, List<LoraRequest> loras) {
        this(prompt, negativePrompt, sampler, schedule, eta, steps, cfgScale, seed, width, height, batch, clipSkip,
                emphasis, loras, Optional.empty(), Optional.empty(), Optional.empty(), List.of());
    }

    /** A request on the sampler's own schedule and eta, without LoRAs of the caller's. */
    public GenerationRequest(String prompt, String negativePrompt, String sampler, int steps, double cfgScale, long seed,
                             int width, int height, int batch, int clipSkip, Emphasis emphasis) {
        this(prompt, negativePrompt, sampler, Optional.empty(), OptionalDouble.empty(), steps, cfgScale, seed, width,
                height, batch, clipSkip, emphasis, List.of());
    }

    /** This request on a named noise schedule ({@code Karras}, {@code default}); empty for the sampler's own. */
    public GenerationRequest withSchedule(Optional<String> schedule) {
        return new GenerationRequest(prompt, negativePrompt, sampler, schedule, eta, steps, cfgScale, seed, width,
                height, batch, clipSkip, emphasis, loras, init, mask, hires, controlNets);
    }

    /** This request with the sampler's eta; empty for the sampler's default. */
    public GenerationRequest withEta(OptionalDouble eta) {
        return new GenerationRequest(prompt, negativePrompt, sampler, schedule, eta, steps, cfgScale, seed, width,
                height, batch, clipSkip, emphasis, loras, init, mask, hires, controlNets);
    }

    /** This request with LoRAs the caller resolved, fused in this order before the prompt's. */
    public GenerationRequest withLoras(List<LoraRequest> loras) {
        return new GenerationRequest(prompt, negativePrompt, sampler, schedule, eta, steps, cfgScale, seed, width,
                height, batch, clipSkip, emphasis, loras, init, mask, hires, controlNets);
    }

    /** This request starting from {@code init} (img2img, or inpainting with a mask); empty for txt2img. */
    public GenerationRequest withInit(Optional<InitImage> init) {
        return new GenerationRequest(prompt, negativePrompt, sampler, schedule, eta, steps, cfgScale, seed, width,
                height, batch, clipSkip, emphasis, loras, init, mask, hires, controlNets);
    }

    /** This request inpainting where {@code mask} says; it needs an init image. */
    public GenerationRequest withMask(Optional<InpaintMask> mask) {
        return new GenerationRequest(prompt, negativePrompt, sampler, schedule, eta, steps, cfgScale, seed, width,
                height, batch, clipSkip, emphasis, loras, init, mask, hires, controlNets);
    }

    /** This request with a hires pass after the first; empty for none. */
    public GenerationRequest withHires(Optional<HiresFix> hires) {
        return new GenerationRequest(prompt, negativePrompt, sampler, schedule, eta, steps, cfgScale, seed, width,
                height, batch, clipSkip, emphasis, loras, init, mask, hires, controlNets);
    }

    /** This request with ControlNet units, in order; empty for none. */
    public GenerationRequest withControlNets(List<ControlUnit> controlNets) {
        return new GenerationRequest(prompt, negativePrompt, sampler, schedule, eta, steps, cfgScale, seed, width,
                height, batch, clipSkip, emphasis, loras, init, mask, hires, controlNets);
    }

    private static void require(boolean ok, String field, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(field + " = " + value + ": expected " + expected);
        }
    }
}
