package dev.diffarm.engine.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.api.finetune.TokenRows;
import dev.diffarm.engine.clip.ClipTokenizer;
import dev.diffarm.engine.clip.ClipTextModel;
import dev.diffarm.engine.embedding.EmbeddingFile;
import dev.diffarm.engine.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * New token rows for textual inversion over the engine's {@link TokenEmbeddingTraining}. A caption's token is
 * tokenized as diffusers' added tokens are: split out before the BPE, and expanded to the n new ids
 * {@code V, ..., V + n − 1}.
 */
final class HostTokenRows implements TokenRows {
    private final ClipTokenizer tokenizer;
    private final ClipTextModel text;
    private final String token;
    private final NDArray matrix;
    private final float[] before;
    private final int vocabulary;
    private final int vectors;

    HostTokenRows(ClipTokenizer tokenizer, ClipTextModel text, NDArray vocabularyMatrix, String token, int initId,
                  int vectors, NDManager manager) {
        this.tokenizer = tokenizer;
        this.text = text;
        this.token = token;
        this.vocabulary = (int) vocabularyMatrix.getShape().get(0);
        this.vectors = vectors;
        this.matrix = TokenEmbeddingTraining.grow(vocabularyMatrix, initId, vectors, manager);
        this.before = matrix.toFloatArray();
    }

    @Override
    public NDArray matrix() {
        return matrix;
    }

    @Override
    public NDArray encode(List<String> captions) {
        long[] ids = new long[captions.size() * tokenizer.contextLength()];
        for (int i = 0; i < captions.size(); i++) {
            int[] framed = ids(captions.get(i));
            for (int j = 0; j < framed.length; j++) {
                ids[i * framed.length + j] = framed[j];
            }
        }
        NDArray idArray = matrix.getManager().create(ids, new Shape(captions.size(), tokenizer.contextLength()));
        // made in the step's scope when called in one: the ids array is attached to the caller's manager by NDScope
        return TokenEmbeddingTraining.encode(text, matrix, idArray);
    }

    /** start token, the caption's ids (the token as its n new ids), end token, padding; truncated as transformers. */
    int[] ids(String caption) {
        int[] tokens = new int[0];
        String[] pieces = caption.split(java.util.regex.Pattern.quote(token), -1);
        for (int p = 0; p < pieces.length; p++) {
            tokens = concat(tokens, tokenizer.tokenize(pieces[p]));
            if (p < pieces.length - 1) {
                int[] added = new int[vectors];
                for (int k = 0; k < vectors; k++) {
                    added[k] = vocabulary + k;
                }
                tokens = concat(tokens, added);
            }
        }
        int kept = Math.min(tokens.length, tokenizer.chunkLength());
        int[] framed = new int[tokenizer.contextLength()];
        Arrays.fill(framed, tokenizer.pad());
        framed[0] = tokenizer.bos();
        System.arraycopy(tokens, 0, framed, 1, kept);
        framed[kept + 1] = tokenizer.eos();
        return framed;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Override
    public void restoreOtherRows() {
        TokenEmbeddingTraining.restoreOtherRows(matrix, before, vocabulary, vocabulary + vectors - 1L);
    }

    @Override
    public NDArray newRows(NDManager manager) {
        long d = matrix.getShape().get(1);
        float[] all = matrix.toFloatArray();
        return manager.create(Arrays.copyOfRange(all, (int) (vocabulary * d), (int) ((vocabulary + vectors) * d)),
                new Shape(vectors, d));
    }

    @Override
    public void write(Path out, Map<String, String> metadata) throws IOException {
        try (NDManager scratch = NDManager.newBaseManager(Device.cpu())) {
            NDArray rows = newRows(scratch);
            SafetensorsWriter writer = new SafetensorsWriter().add("emb_params", rows.toFloatArray(),
                    rows.getShape().getShape());
            metadata.forEach(writer::metadata);
            writer.metadata("name", token);
            writer.write(out);
        }
    }

    @Override
    public Map<String, NDArray> read(Path file, NDManager manager) {
        EmbeddingFile embedding = EmbeddingFile.read(file);
        return Map.of("emb_params", manager.create(embedding.values(), new Shape(embedding.count(), embedding.width())));
    }
}
