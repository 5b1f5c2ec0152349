package dev.diffarm.daemon.job;

import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.engine.train.FineTuneRun;
import dev.diffarm.farm.config.TrainJob;
import dev.diffarm.farm.config.TrainSamples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Renders a train job's sample prompts with the weights a run has at one step, as its method's {@link TrainingRunner}
 * hands them to a render (a LoRA file, an embedding, the model itself), and stores them at {@link TrainJob#sampleKey}.
 * A render reads the weights only, so the run goes on as if no sample had been rendered.
 */
final class TrainingSamples {
    private final TrainingRender render;
    private final TrainingRunner runner;
    private final OutputStore store;
    private final TrainingWork work;

    TrainingSamples(TrainingRender render, TrainingRunner runner, OutputStore store, TrainingWork work) {
        this.render = render;
        this.runner = runner;
        this.store = store;
        this.work = work;
    }

    /** Renders and stores the samples of {@code step} with the weights {@code current} writes into {@code folder}. */
    void render(long step, FineTuneRun.Snapshot current, Path folder) throws IOException {
        TrainJob job = work.job();
        Path weightsFolder = Files.createDirectories(folder.resolve(String.format("sample-step%06d", step)));
        try {
            SampleWeights weights = runner.sampleWeights(work, current, weightsFolder);
            TrainSamples samples = job.samples();
            List<String> prompts = samples.samplePrompts();
            for (int i = 0; i < prompts.size(); i++) {
                byte[] png = render.png(prompts.get(i), samples.sampleSeed(), samples.sampleSteps(), job.resolution(),
                        weights);
                store.put(job.sampleKey(step, work.run().taskId(), i), png, "image/png");
            }
        } finally {
            try (Stream<Path> files = Files.walk(weightsFolder)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }
}
