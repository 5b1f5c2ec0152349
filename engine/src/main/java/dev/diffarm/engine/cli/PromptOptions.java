package dev.diffarm.engine.cli;

import dev.diffarm.engine.embedding.EmbeddingLibrary;
import dev.diffarm.engine.prompt.Emphasis;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options that say how prompts are read. */
final class PromptOptions {
    @Option(names = "--embeddings-dir", paramLabel = "DIR",
            description = "A folder of textual-inversion embeddings (.safetensors, .pt, .bin; A1111 or diffusers form),"
                    + " triggered in prompts by file name or by their <token>. Only files inside it are read.")
    Path embeddingsDir;

    @Option(names = "--no-emphasis",
            description = "Read (text), [text], (text:1.3) and BREAK as plain text (A1111's emphasis mode None; "
                    + "how diffusers reads prompts). Default: AUTOMATIC1111's emphasis.")
    boolean noEmphasis;

    Emphasis emphasis() {
        return noEmphasis ? Emphasis.NONE : Emphasis.ORIGINAL;
    }

    EmbeddingLibrary embeddings() {
        return embeddingsDir == null ? EmbeddingLibrary.none() : EmbeddingLibrary.scan(embeddingsDir);
    }
}
