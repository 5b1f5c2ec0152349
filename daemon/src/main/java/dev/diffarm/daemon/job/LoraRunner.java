package dev.diffarm.daemon.job;

import dev.diffarm.api.finetune.MethodOptions;
import dev.diffarm.engine.embedding.EmbeddingLibrary;
import dev.diffarm.engine.lora.LoraRequest;
import dev.diffarm.engine.train.FineTuneRequest;
import dev.diffarm.engine.train.FineTuneRun;
import dev.diffarm.farm.config.LoraNetworkOptions;
import dev.diffarm.farm.config.TrainJob;
import dev.diffarm.farm.config.TrainSweep;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * LoRA runs: a fresh LoRA of the combination's rank and alpha on the job's targets (kohya's set when none), on the text
 * encoder and the UNet or one of them, each at its own learning rate when the job gives one.
 */
final class LoraRunner implements TrainingRunner {
    @Override
    public FineTuneRequest request(TrainingWork work) {
        TrainJob job = work.job();
        TrainSweep.Combination values = work.run().settings();
        Map<String, String> options = new HashMap<>();
        options.put("network-dim", Integer.toString(values.networkDim()));
        options.put("network-alpha", Float.toString((float) values.networkAlpha()));
        if (!job.loraTargets().isEmpty()) {
            options.put("lora-targets", String.join(",", job.loraTargets()));
        }
        LoraNetworkOptions network = job.network();
        options.put("network-train-unet-only", Boolean.toString(network.networkTrainUnetOnly()));
        options.put("network-train-text-encoder-only", Boolean.toString(network.networkTrainTextEncoderOnly()));
        network.textEncoderLr().ifPresent(rate -> options.put("text-encoder-lr", Double.toString(rate)));
        network.unetLr().ifPresent(rate -> options.put("unet-lr", Double.toString(rate)));
        return TrainingRunner.request(work, new MethodOptions(options), Optional.empty(), Optional.empty());
    }

    /** The LoRA so far, fused for the render like any LoRA (the fusion gives the model its own weights back). */
    @Override
    public SampleWeights sampleWeights(TrainingWork work, FineTuneRun.Snapshot current, Path folder)
            throws IOException {
        TrainJob.Run run = work.run();
        Path file = folder.resolve(run.outputFile());
        current.write(file);
        return new SampleWeights(List.of(new LoraRequest(run.outputName(), file, 1.0)), EmbeddingLibrary.none());
    }
}
