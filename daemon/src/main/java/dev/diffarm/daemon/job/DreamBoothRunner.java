package dev.diffarm.daemon.job;

import dev.diffarm.api.finetune.MethodOptions;
import dev.diffarm.engine.train.FineTuneRequest;
import dev.diffarm.farm.config.DreamBoothOptions;
import java.util.Map;
import java.util.Optional;

/**
 * DreamBooth runs: the whole UNet learns the instance prompt's subject from the dataset's images (each captioned with
 * the instance prompt), with {@code trainTextEncoder} the whole text encoder too, and with a class prompt the class
 * images ({@link ClassImages}) keep the class's meaning.
 */
final class DreamBoothRunner implements TrainingRunner {
    @Override
    public FineTuneRequest request(TrainingWork work) {
        DreamBoothOptions options = work.job().dreambooth().orElseThrow();
        Optional<FineTuneRequest.ClassImages> classes = work.classData().map(folder -> new FineTuneRequest.ClassImages(
                folder, options.classPrompt().orElseThrow(), options.numClassImages()));
        return TrainingRunner.request(work, new MethodOptions(Map.of("prior-loss-weight",
                Double.toString(options.priorLossWeight()), "train-text-encoder",
                Boolean.toString(options.trainTextEncoder()))), Optional.of(options.instancePrompt()), classes);
    }
}
