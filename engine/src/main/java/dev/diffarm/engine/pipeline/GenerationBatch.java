package dev.diffarm.engine.pipeline;

import dev.diffarm.api.Progress;
import dev.diffarm.engine.lora.ActiveLoras;
import dev.diffarm.engine.nn.Autograd;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Several txt2img plans with one {@link BatchKey} rendered as one batch: each UNet call evaluates every plan's rows
 * at once, and each plan still gets the image it gets alone (within float32 rounding: a batched convolution or
 * matrix product may sum in another order), with the same infotext.
 *
 * <p>What each plan keeps of its own: its prompt and negative prompt (their embeddings stacked row by row), its seed
 * (its own generator draws its rows' initial noise and every per-step draw of an ancestral or SDE sampler, through
 * a {@link StackedNoise}), its guidance scale (a scale per row), its clip skip and emphasis, and its decode (each
 * plan's latents go through the VAE alone). Plans whose prompts encode to different numbers of 77-token chunks are
 * kept apart: padding the shorter with empty chunks would change their images, so they run as separate sub-batches,
 * one after the other, within the one call.
 *
 * <pre>{@code
 * List<GenerationPlan> plans = requests.stream().map(generator::plan).toList();   // all with one key
 * List<Generation> images = GenerationBatch.run(plans, model, modelHash, Progress.NONE);
 * }</pre>
 */
public final class GenerationBatch {
    private GenerationBatch() {
    }

    /**
     * What {@code plan} must share with others to join their batch; empty for a plan that renders alone: any mode
     * beyond txt2img (img2img, inpainting, a hires pass: they draw from the generator between passes and encode
     * pictures), and any mode added later, since only a request equal to its plain txt2img form qualifies.
     */
    public static Optional<BatchKey> key(GenerationPlan plan) {
        GenerationRequest request = plan.request();
        GenerationRequest txt2img = new GenerationRequest(request.prompt(), request.negativePrompt(), request.sampler(),
                request.schedule(), request.eta(), request.steps(), request.cfgScale(), request.seed(), request.width(),
                request.height(), request.batch(), request.clipSkip(), request.emphasis(), request.loras());
        if (!txt2img.equals(request)) {
            return Optional.empty();
        }
        SamplerChoice sampler = plan.sampler();
        return Optional.of(new BatchKey(sampler.samplerName(), sampler.scheduleType(), request.eta(), request.steps(),
                request.width(), request.height(), request.cfgScale() != 1.0, plan.loras()));
    }

    /**
     * Renders {@code plans} as one batch on {@code model}, whose weights are its own again when this returns.
     *
     * @param plans     plans with one and the same {@link #key}, made by one {@link Generator} (one embedding library)
     * @param modelHash the model's short hash, for the infotext
     * @param progress  told of every sampling step of the batch; once cancelled, the batch stops before its next step
     * @return each plan's generation, in the order of {@code plans}
     * @throws IllegalArgumentException if the plans do not share a key, or come from generators with other embeddings
     * @throws IOException                           if a LoRA file cannot be read
     * @throws dev.diffarm.engine.lora.LoraException if a LoRA does not fit the model
     */
    public static List<Generation> run(List<GenerationPlan> plans, StableDiffusion model, String modelHash,
                                       Progress progress) throws IOException {
        if (plans.isEmpty()) {
            throw new IllegalArgumentException("an empty batch: expected at least one plan");
        }
        GenerationPlan first = plans.get(0);
        Optional<BatchKey> key = key(first);
        for (int i = 0; i < plans.size(); i++) {
            Optional<BatchKey> other = key(plans.get(i));
            if (key.isEmpty() || !key.equals(other)) {
                throw new IllegalArgumentException("plan " + i + " of the batch has key " + other.map(String::valueOf)
                        .orElse("none (it renders alone)") + ": expected " + key.map(String::valueOf).orElse("a key"));
            }
            if (plans.get(i).embeddings() != first.embeddings()) {
                throw new IllegalArgumentException("plan " + i + " of the batch has another embedding library than plan 0: "
                        + "expected plans of one generator");
            }
        }
        // As a render alone: no gradients, whatever the thread's grad mode.
        Autograd.offForThisThread();
        try (ActiveLoras active = ActiveLoras.activate(model, first.loras())) {
            List<Rendering> renderings = new BatchRenderer(model, first.embeddings(), first.sampler())
                    .render(plans.stream().map(GenerationPlan::request).toList(),
                            plans.stream().map(GenerationPlan::promptText).toList(), progress);
            List<Generation> generations = new ArrayList<>(plans.size());
            for (int i = 0; i < plans.size(); i++) {
                generations.add(plans.get(i).generation(model, modelHash, renderings.get(i), active));
            }
            return generations;
        }
    }
}
