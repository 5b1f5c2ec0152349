package dev.diffarm.daemon.job;

import dev.diffarm.api.finetune.MethodOptions;
import dev.diffarm.engine.embedding.EmbeddingFile;
import dev.diffarm.engine.embedding.EmbeddingLibrary;
import dev.diffarm.engine.train.FineTuneRequest;
import dev.diffarm.engine.train.FineTuneRun;
import dev.diffarm.farm.config.TextualInversionOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Textual Inversion runs: the new token's vectors, starting from the init token's, learn from the captioned images. */
final class TextualInversionRunner implements TrainingRunner {
    @Override
    public FineTuneRequest request(TrainingWork work) {
        TextualInversionOptions options = work.job().textualInversion().orElseThrow();
        return TrainingRunner.request(work, new MethodOptions(Map.of("token", options.token(), "init-token",
                options.initToken(), "num-vectors", Integer.toString(options.numVectors()))), Optional.empty(),
                Optional.empty());
    }

    /** The embedding so far, which the job's token in a sample prompt triggers. */
    @Override
    public SampleWeights sampleWeights(TrainingWork work, FineTuneRun.Snapshot current, Path folder)
            throws IOException {
        Path file = folder.resolve(work.run().outputFile());
        current.write(file);
        String token = work.job().textualInversion().orElseThrow().token();
        return new SampleWeights(List.of(), EmbeddingLibrary.of(Map.of(token, EmbeddingFile.read(file))));
    }
}
