package dev.diffarm.daemon.job;

import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.engine.lora.LoraRequest;
import dev.diffarm.engine.train.LoraTrainingRun;
import dev.diffarm.farm.config.TrainJob;
import dev.diffarm.farm.config.TrainSamples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Renders a train job's sample prompts with the weights a run has at one step and stores them at
 * {@link TrainJob#sampleKey}. The current LoRA is written to a file and fused for the render like any LoRA; the fusion
 * gives the model its own weights back, so the run goes on as if no sample had been rendered.
 */
final class TrainingSamples {
    private final TrainingRender render;
    private final OutputStore store;
    private final TrainJob job;
    private final TrainJob.Run run;

    TrainingSamples(TrainingRender render, OutputStore store, TrainJob job, TrainJob.Run run) {
        this.render = render;
        this.store = store;
        this.job = job;
        this.run = run;
    }

    /** Renders and stores the samples of {@code step} with the LoRA {@code current} writes into {@code work}. */
    void render(long step, LoraTrainingRun.Snapshot current, Path work) throws IOException {
        Path lora = work.resolve(String.format("%s-sample-step%06d.safetensors", run.outputName(), step));
        current.write(lora);
        try {
            TrainSamples samples = job.samples();
            List<String> prompts = samples.samplePrompts();
            for (int i = 0; i < prompts.size(); i++) {
                byte[] png = render.png(prompts.get(i), samples.sampleSeed(), samples.sampleSteps(), job.resolution(),
                        List.of(new LoraRequest(run.outputName(), lora, 1.0)));
                store.put(job.sampleKey(step, run.taskId(), i), png, "image/png");
            }
        } finally {
            Files.deleteIfExists(lora);
        }
    }
}
