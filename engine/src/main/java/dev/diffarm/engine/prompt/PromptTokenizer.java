package dev.diffarm.engine.prompt;

import dev.diffarm.engine.clip.ChunkItem;
import dev.diffarm.engine.clip.ClipTokenizer;
import dev.diffarm.engine.embedding.Embedding;
import dev.diffarm.engine.embedding.EmbeddingLibrary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A prompt text (one entry of its schedule) to chunks for the text encoder, as A1111's {@code tokenize_line}:
 * the text is split into weighted pieces ({@link Emphasis#fragments}), each piece is tokenized on its own,
 * embedding names among its tokens are replaced by the embedding's vectors (which take the piece's weight),
 * and the result is chunked by the tokenizer's {@link dev.diffarm.engine.clip.PromptChunker}.
 */
public final class PromptTokenizer {
    private final ClipTokenizer tokenizer;
    private final EmbeddingTriggers triggers;

    /**
     * @param embeddings the embeddings prompts may trigger
     * @param width      the text encoder's hidden size
     */
    public PromptTokenizer(ClipTokenizer tokenizer, EmbeddingLibrary embeddings, int width) {
        this.tokenizer = tokenizer;
        this.triggers = new EmbeddingTriggers(tokenizer, embeddings, width, tokenizer.chunkLength());
    }

    /**
     * Lays out {@code text}.
     *
     * @throws dev.diffarm.engine.embedding.EmbeddingException if it triggers an embedding that cannot be used
     */
    public TokenizedPrompt tokenize(String text, Emphasis emphasis) {
        List<ChunkItem> items = new ArrayList<>();
        Map<String, Embedding> used = new LinkedHashMap<>();
        for (Fragment fragment : emphasis.fragments(text)) {
            if (fragment instanceof Fragment.Text piece) {
                float weight = (float) piece.weight();
                int[] tokens = tokenizer.tokenize(piece.text());
                int position = 0;
                while (position < tokens.length) {
                    Optional<EmbeddingTriggers.Match> match = triggers.at(tokens, position);
                    if (match.isPresent()) {
                        Embedding embedding = match.get().embedding();
                        used.putIfAbsent(embedding.name(), embedding);
                        items.add(new ChunkItem.Vectors(embedding, weight));
                        position += match.get().tokens();
                    } else {
                        items.add(new ChunkItem.Token(tokens[position], weight));
                        position++;
                    }
                }
            } else {
                items.add(new ChunkItem.Break());
            }
        }
        return new TokenizedPrompt(tokenizer.chunker().chunks(items), new ArrayList<>(used.values()));
    }
}
