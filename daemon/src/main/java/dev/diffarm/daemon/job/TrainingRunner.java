package dev.diffarm.daemon.job;

import dev.diffarm.api.finetune.MethodOptions;
import dev.diffarm.engine.train.FineTuneRequest;
import dev.diffarm.engine.train.FineTuneRun;
import dev.diffarm.engine.train.LrSchedule;
import dev.diffarm.engine.train.NoiseObjective;
import dev.diffarm.engine.train.TrainingSettings;
import dev.diffarm.engine.train.data.CaptionRule;
import dev.diffarm.engine.train.data.KohyaDataOptions;
import dev.diffarm.engine.train.data.Size;
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
        NoiseObjective.Prediction prediction = job.loss().predictionType().equals("v_prediction")
                ? NoiseObjective.Prediction.V_PREDICTION : NoiseObjective.Prediction.EPSILON;
        return new TrainingSettings(values.learningRate(), LrSchedule.named(job.lrScheduler()), job.lrWarmupSteps(),
                values.maxTrainSteps(), job.trainBatchSize(), job.gradientAccumulationSteps(), job.maxGradNorm(),
                job.seed(), job.shuffle(), prediction, job.loss().snrGamma(), job.loss().noiseOffset(),
                job.gradientCheckpointing());
    }

    /** The request every method shares the shape of, with the method's own parts. */
    static FineTuneRequest request(TrainingWork work, MethodOptions options, Optional<String> instancePrompt,
                                   Optional<FineTuneRequest.ClassImages> classImages) {
        TrainJob job = work.job();
        return new FineTuneRequest(job.method(), options, work.data(), instancePrompt, classImages,
                settings(job, work.run().settings()), work.out(), job.saveEvery(), true, work.resume(),
                BASE_MODEL_VERSION, dataOptions(job));
    }

    /**
     * kohya's data options of the job: none set keeps the images as they are (the square images the dataset check
     * asks for); any set sends them through kohya's pipeline at the job's resolution, with kohya's bucket range
     * (256 to 1024 pixels in steps of 64) widened to take in a resolution outside it.
     */
    static KohyaDataOptions dataOptions(TrainJob job) {
        TrainDataOptions data = job.data();
        if (data.equals(TrainDataOptions.DEFAULTS)) {
            return KohyaDataOptions.DEFAULTS;
        }
        KohyaDataOptions defaults = KohyaDataOptions.DEFAULTS;
        int side = job.resolution();
        int steps = side >= defaults.minBucketReso() ? defaults.bucketResoSteps() : Math.max(8, side / 4 / 8 * 8);
        return new KohyaDataOptions(Optional.of(new Size(side, side)), data.enableBucket(),
                Math.min(defaults.minBucketReso(), side), Math.max(defaults.maxBucketReso(), side), steps,
                defaults.bucketNoUpscale(), data.flipAug(),
                new CaptionRule(data.shuffleCaption(), data.keepTokens(), data.captionDropoutRate(), 0.0, ","),
                defaults.captionExtension());
    }
}
