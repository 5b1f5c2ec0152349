package dev.diffarm.daemon.job;

import dev.diffarm.api.finetune.MethodOptions;
import dev.diffarm.engine.train.FineTuneRequest;
import dev.diffarm.engine.train.FineTuneRun;
import dev.diffarm.engine.train.LrSchedule;
import dev.diffarm.engine.train.NoiseObjective;
import dev.diffarm.engine.train.TrainingSettings;
import dev.diffarm.farm.config.EventError;
import dev.diffarm.farm.config.TrainDataOptions;
import dev.diffarm.farm.config.TrainJob;
import dev.diffarm.farm.config.TrainSweep;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Turns one run of a train job into the engine's {@link FineTuneRequest} for the job's method: one implementation per
 * method, for what is its own (the method's options, DreamBooth's prompts and class images). Everything the methods
 * share (the hyperparameters here; the dataset, saved states, samples, loss curve and storing the result in the
 * {@link TrainTask}) is done once.
 */
interface TrainingRunner {
    /** What a result's {@code ss_base_model_version} says; the farm trains SD 1.x-layout models so far. */
    String BASE_MODEL_VERSION = "sd_v1";

    /**
     * The engine's request for {@code work}, saving the whole state every {@code saveEvery} steps and after the last.
     *
     * @throws TaskFailure naming the field of a setting the method cannot train with on the farm
     */
    FineTuneRequest request(TrainingWork work);

    /**
     * What samples need to show the weights {@code current} writes, as files in {@code folder}: by default nothing, the
     * model itself being trained.
     */
    default SampleWeights sampleWeights(TrainingWork work, FineTuneRun.Snapshot current, Path folder)
            throws IOException {
        return SampleWeights.NONE;
    }

    /** The runner of {@code method}. */
    static TrainingRunner forMethod(String method) {
        return switch (method) {
            case TrainJob.LORA -> new LoraRunner();
            case TrainJob.DREAMBOOTH -> new DreamBoothRunner();
            case TrainJob.TEXTUAL_INVERSION -> new TextualInversionRunner();
            default -> throw new IllegalStateException("method " + method + " passed the contract's method rule");
        };
    }

    /** The hyperparameters every method shares, with the run's combination of the sweep. */
    static TrainingSettings settings(TrainJob job, TrainSweep.Combination values) {
        refuseDataOptions(job.data());
        NoiseObjective.Prediction prediction = job.loss().predictionType().equals("v_prediction")
                ? NoiseObjective.Prediction.V_PREDICTION : NoiseObjective.Prediction.EPSILON;
        return new TrainingSettings(values.learningRate(), LrSchedule.named(job.lrScheduler()), job.lrWarmupSteps(),
                values.maxTrainSteps(), job.trainBatchSize(), job.gradientAccumulationSteps(), job.maxGradNorm(),
                job.seed(), job.shuffle(), prediction, job.loss().snrGamma(), job.loss().noiseOffset());
    }

    /** The request every method shares the shape of, with the method's own parts. */
    static FineTuneRequest request(TrainingWork work, MethodOptions options, Optional<String> instancePrompt,
                                   Optional<FineTuneRequest.ClassImages> classImages) {
        TrainJob job = work.job();
        return new FineTuneRequest(job.method(), options, work.data(), instancePrompt, classImages,
                settings(job, work.run().settings()), work.out(), job.saveEvery(), true, work.resume(),
                BASE_MODEL_VERSION);
    }

    /**
     * The engine's runs read square captioned images as they are; buckets and caption rules come with the data pipeline
     * behind {@code TrainingExamples}. Until the runs read through it, a job asking for them fails naming the field
     * rather than training without them.
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
                    + "the farm's training runs do not yet read their images through the data pipeline (buckets, "
                    + "flips, caption rules)", Optional.of(field)), null);
        }
    }
}
