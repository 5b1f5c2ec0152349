package dev.diffarm.finetune.textualinversion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.diffarm.api.finetune.FineTuneMethod;
import dev.diffarm.api.finetune.MethodOptions;
import dev.diffarm.api.finetune.MicroBatch;
import dev.diffarm.api.finetune.Objective;
import dev.diffarm.api.finetune.TokenRows;
import dev.diffarm.api.finetune.TrainableModel;
import dev.diffarm.api.finetune.Training;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.pf4j.Extension;

/**
 * Textual inversion as diffusers' {@code textual_inversion.py} trains it: the token-embedding matrix grown by the new
 * token's rows (copies of the init token's) is the trained array, the gradient flows through the text encoder and the
 * embedding lookup, and after every step each row but the new ones is put back. The result is an AUTOMATIC1111
 * embedding file ({@code emb_params}, {@code name}): a prompt triggers it by the file's name.
 *
 * <p>Options: {@code token} (required, e.g. {@code <zwx>}), {@code init-token} (required, e.g. {@code person}),
 * {@code num-vectors} (default 1).
 */
@Extension
public final class TextualInversion implements FineTuneMethod {
    @Override
    public String name() {
        return "textual-inversion";
    }

    @Override
    public Training start(TrainableModel model, MethodOptions options, NDManager manager) {
        String token = options.text("token").orElseThrow(() -> new IllegalArgumentException(
                "--token: textual-inversion needs the new token, e.g. --token \"<zwx>\""));
        String init = options.text("init-token").orElseThrow(() -> new IllegalArgumentException(
                "--init-token: textual-inversion needs a word whose embedding the new token starts from, e.g. person"));
        int vectors = options.integer("num-vectors", 1, 1);
        return new TokenTraining(model, model.addTokens(token, init, vectors, manager), manager);
    }

    private record TokenTraining(TrainableModel model, TokenRows rows, NDManager manager) implements Training {
        @Override
        public Map<String, NDArray> parameters() {
            return Map.of("token_embedding", rows.matrix());
        }

        @Override
        public NDArray loss(MicroBatch batch, Objective objective) {
            NDArray prediction = model.predict(batch.noisy(), batch.timesteps(), rows.encode(batch.captions()));
            return objective.loss(prediction, batch.target(), batch.timesteps());
        }

        @Override
        public void afterStep() {
            rows.restoreOtherRows();
        }

        @Override
        public void save(Path out, Map<String, String> metadata) throws IOException {
            rows.write(out, metadata);
        }

        @Override
        public Map<String, NDArray> saved() {
            return Map.of("emb_params", rows.newRows(manager));
        }

        @Override
        public Map<String, NDArray> load(Path file, NDManager into) throws IOException {
            return rows.read(file, into);
        }

        @Override
        public void close() {
            rows.matrix().setRequiresGradient(false);
        }
    }
}
