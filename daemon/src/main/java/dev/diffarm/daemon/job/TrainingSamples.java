package dev.diffarm.daemon.job;

import dev.diffarm.api.Progress;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.render.ModelCache;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.lora.LoraRequest;
import dev.diffarm.engine.pipeline.Generation;
import dev.diffarm.engine.pipeline.GenerationRequest;
import dev.diffarm.engine.pipeline.Generator;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.sampler.SamplerRegistry;
import dev.diffarm.engine.train.LoraTrainingRun;
import dev.diffarm.farm.config.Defaults;
import dev.diffarm.farm.config.TrainJob;
import dev.diffarm.farm.config.TrainSamples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Supplier;

/**
 * Renders a train job's sample prompts with the weights a run has at one step, through the engine's {@link Generator}
 * as a render job would, and stores them at {@link TrainJob#sampleKey}. The current LoRA is written to a file and
 * fused for the render like any LoRA; the fusion gives the model its own weights back, so the run goes on as if no
 * sample had been rendered.
 */
final class TrainingSamples {
    private final Supplier<SamplerRegistry> samplers;
    private final OutputStore store;
    private final TrainJob job;
    private final TrainJob.Run run;

    TrainingSamples(Supplier<SamplerRegistry> samplers, OutputStore store, TrainJob job, TrainJob.Run run) {
        this.samplers = samplers;
        this.store = store;
        this.job = job;
        this.run = run;
    }

    /** Renders and stores the samples of {@code step} with the LoRA {@code current} writes into {@code work}. */
    void render(ModelCache.LoadedModel model, long step, LoraTrainingRun.Snapshot current, Path work) throws IOException {
        Path lora = work.resolve(String.format("%s-sample-step%06d.safetensors", run.outputName(), step));
        current.write(lora);
        try {
            TrainSamples samples = job.samples();
            List<String> prompts = samples.samplePrompts();
            for (int i = 0; i < prompts.size(); i++) {
                GenerationRequest request = new GenerationRequest(prompts.get(i), "", Defaults.SAMPLER, Optional.empty(),
                        OptionalDouble.empty(), samples.sampleSteps(), Defaults.CFG, samples.sampleSeed(),
                        job.resolution(), job.resolution(), 1, Defaults.CLIP_SKIP, Emphasis.ORIGINAL,
                        List.of(new LoraRequest(run.outputName(), lora, 1.0)));
                Generation generation = new Generator(samplers).plan(request).run(model.model(), model.shortHash(),
                        Progress.NONE);
                Generation.Image image = generation.images().get(0);
                store.put(job.sampleKey(step, run.taskId(), i), PngWriter.encode(image.pixels(), image.infotext()),
                        "image/png");
            }
        } finally {
            Files.deleteIfExists(lora);
        }
    }
}
