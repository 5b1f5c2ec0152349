package dev.diffarm.daemon.job;

import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.train.LoraTargetModules;
import dev.diffarm.engine.train.LoraTrainingRun;
import dev.diffarm.engine.train.LrSchedule;
import dev.diffarm.engine.train.NoiseObjective;
import dev.diffarm.engine.train.TrainingSettings;
import dev.diffarm.farm.config.EventError;
import dev.diffarm.farm.config.TrainDataOptions;
import dev.diffarm.farm.config.TrainJob;
import dev.diffarm.farm.config.TrainSweep;
import java.io.IOException;
import java.util.Optional;

/** LoRA runs: the engine's {@link LoraTrainingRun} on the job's images, saving its whole state as it goes. */
final class LoraTrainingRunner implements TrainingRunner {
    /** What the LoRA's {@code ss_base_model_version} says; the farm trains SD 1.x-layout models so far. */
    private static final String BASE_MODEL_VERSION = "sd_v1";

    @Override
    public void train(StableDiffusion model, TrainingWork work, TrainingListener listener) throws IOException {
        TrainJob job = work.job();
        refuseDataOptions(job.data());
        TrainSweep.Combination values = work.run().settings();
        LoraTrainingRun.Request request = new LoraTrainingRun.Request(work.data(), Optional.empty(), targets(job),
                values.networkDim(), (float) values.networkAlpha(), settings(job, values), work.out(), job.saveEvery(),
                true, work.resume(), BASE_MODEL_VERSION);
        LoraTrainingRun.run(model, request, listener::stepped, listener::stateSaved);
    }

    private static TrainingSettings settings(TrainJob job, TrainSweep.Combination values) {
        NoiseObjective.Prediction prediction = job.loss().predictionType().equals("v_prediction")
                ? NoiseObjective.Prediction.V_PREDICTION : NoiseObjective.Prediction.EPSILON;
        return new TrainingSettings(values.learningRate(), LrSchedule.named(job.lrScheduler()), job.lrWarmupSteps(),
                values.maxTrainSteps(), job.trainBatchSize(), job.gradientAccumulationSteps(), job.maxGradNorm(),
                job.seed(), job.shuffle(), prediction, job.loss().snrGamma(), job.loss().noiseOffset());
    }

    private static LoraTargetModules targets(TrainJob job) {
        return job.loraTargets().isEmpty() ? LoraTargetModules.kohyaDefault() : LoraTargetModules.peft(job.loraTargets());
    }

    /**
     * The engine's LoRA run reads square captioned images as they are; buckets and caption rules come with the data
     * pipeline behind {@code TrainingExamples}. Until the run reads through it, a job asking for them fails naming the
     * field rather than training without them.
     */
    private static void refuseDataOptions(TrainDataOptions data) {
        refuseUnless(!data.enableBucket(), "enableBucket", "true");
        refuseUnless(!data.flipAug(), "flipAug", "true");
        refuseUnless(!data.shuffleCaption(), "shuffleCaption", "true");
        refuseUnless(data.keepTokens() == 0, "keepTokens", Integer.toString(data.keepTokens()));
        refuseUnless(data.captionDropoutRate() == 0, "captionDropoutRate", Double.toString(data.captionDropoutRate()));
    }

    private static void refuseUnless(boolean supported, String field, String value) {
        if (!supported) {
            throw new TaskFailure(new EventError("invalid-value", field + " = " + value + ": expected its default: "
                    + "the farm's LoRA runs do not yet read their images through the data pipeline (buckets, flips, "
                    + "caption rules)", Optional.of(field)), null);
        }
    }
}
