package dev.diffarm.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.diffarm.api.Progress;
import dev.diffarm.engine.embedding.EmbeddingLibrary;
import dev.diffarm.engine.random.TorchGenerator;
import dev.diffarm.engine.schedule.Schedule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The txt2img math of {@link Renderer} for several requests of one {@link BatchKey} at once: their conditionings
 * stacked, each request's noise from its own generator ({@link StackedNoise}), a guidance scale per row, one sampler
 * run over the whole batch, then each request's latents decoded on their own. Requests whose conditionings have
 * different token counts run as separate sub-batches.
 */
final class BatchRenderer {
    private final StableDiffusion model;
    private final PromptEncoder prompts;
    private final SamplerChoice choice;

    BatchRenderer(StableDiffusion model, EmbeddingLibrary embeddings, SamplerChoice choice) {
        this.model = model;
        this.prompts = new PromptEncoder(model.tokenizer(), model.textModel(), embeddings);
        this.choice = choice;
    }

    /**
     * @param requests    txt2img requests sharing one {@link BatchKey}
     * @param promptTexts their prompts without extra-network tags, in the same order
     * @return each request's rendering, in order
     */
    List<Rendering> render(List<GenerationRequest> requests, List<String> promptTexts, Progress progress) {
        Rendering[] renderings = new Rendering[requests.size()];
        try (NDManager job = model.newManager()) {
            List<Conditioning> conditionings = new ArrayList<>();
            Map<Long, List<Integer>> byTokens = new LinkedHashMap<>();
            for (int i = 0; i < requests.size(); i++) {
                GenerationRequest request = requests.get(i);
                Conditioning conditioning = prompts.conditioning(job, promptTexts.get(i), request.negativePrompt(),
                        request.steps(), request.batch(), request.emphasis(), request.clipSkip());
                conditionings.add(conditioning);
                byTokens.computeIfAbsent(conditioning.tokens(), tokens -> new ArrayList<>()).add(i);
            }
            for (List<Integer> members : byTokens.values()) {
                List<Rendering> rendered = renderTogether(job, members.stream().map(requests::get).toList(),
                        members.stream().map(conditionings::get).toList(), progress);
                for (int m = 0; m < members.size(); m++) {
                    renderings[members.get(m)] = rendered.get(m);
                }
            }
        }
        return Arrays.asList(renderings);
    }

    /** One sampler run over the rows of {@code requests}, whose conditionings have one token count. */
    private List<Rendering> renderTogether(NDManager job, List<GenerationRequest> requests,
                                           List<Conditioning> conditionings, Progress progress) {
        GenerationRequest first = requests.get(0);
        Renderer.checkSize(first.width(), first.height(), model.scaleFactor(), "size");
        int[] rows = requests.stream().mapToInt(GenerationRequest::batch).toArray();
        int totalRows = Arrays.stream(rows).sum();
        float[] scales = new float[totalRows];
        List<TorchGenerator> generators = new ArrayList<>();
        int row = 0;
        for (GenerationRequest request : requests) {
            generators.add(new TorchGenerator(request.seed()));
            Arrays.fill(scales, row, row + request.batch(), (float) request.cfgScale());
            row += request.batch();
        }
        StackedNoise noise = new StackedNoise(generators, rows);
        Schedule schedule = choice.schedule(model, first.steps());
        StepTracker steps = new StepTracker(progress);
        GuidedDenoiser denoiser = new GuidedDenoiser(model.unet(), Conditioning.stacked(conditionings),
                first.cfgScale(), sigma -> (float) schedule.timestepOf(sigma), steps, progress)
                .withPrediction(model.prediction());
        if (first.cfgScale() != 1.0) {
            denoiser = denoiser.withRowScales(scales);
        }
        NDArray x = noise.next(job, ModelLatents.shape(model, totalRows, first.width(), first.height()))
                .mul((float) schedule.initNoiseSigma());
        NDArray latents = choice.sampler().sample(denoiser, x, schedule.sigmas(), noise, steps)
                .div((float) schedule.latentForm().toSigmaForm(schedule.sigmas().last()));
        List<Rendering> out = new ArrayList<>();
        row = 0;
        for (int i = 0; i < requests.size(); i++) {
            NDArray own = latents.get(new NDIndex("{}:{}", row, row + rows[i]));
            out.add(new Rendering(own.toFloatArray(), own.getShape().getShape(), ModelLatents.decode(model, own),
                    conditionings.get(i).embeddings()));
            row += rows[i];
        }
        return out;
    }
}
