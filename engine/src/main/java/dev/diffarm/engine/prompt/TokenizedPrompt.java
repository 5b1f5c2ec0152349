package dev.diffarm.engine.prompt;

import dev.diffarm.engine.clip.PromptChunk;
import dev.diffarm.engine.embedding.Embedding;
import java.util.List;

/**
 * One prompt text laid out for the text encoder.
 *
 * @param chunks     its chunks, each one pass of the encoder
 * @param embeddings the embeddings it triggered, each once, in the order they first appear
 */
public record TokenizedPrompt(List<PromptChunk> chunks, List<Embedding> embeddings) {
    public TokenizedPrompt {
        chunks = List.copyOf(chunks);
        embeddings = List.copyOf(embeddings);
    }
}
