package dev.diffarm.engine.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.diffarm.engine.embedding.EmbeddingLibrary;
import dev.diffarm.engine.lora.ActiveLoras;
import dev.diffarm.engine.pipeline.PromptEncoder;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.prompt.ExtraNetworkTags;
import dev.diffarm.engine.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "encode", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Writes the text encoder's output for a prompt as float32 tensor 'hidden' [77 * chunks, D].",
                "The prompt is read as render reads it, except that it may not change by step ([from:to:when], [a|b])."})
final class EncodeCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Mixin
    PromptOptions promptOptions;

    @Mixin
    LoraOptions loraOptions;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "The prompt to encode.")
    String prompt;

    @Option(names = "--clip-skip", defaultValue = "1", paramLabel = "N",
            description = "Text encoder layer counted from the end (AUTOMATIC1111's numbering). Default: ${DEFAULT-VALUE}.")
    int clipSkip;

    @Option(names = "--out", required = true, paramLabel = "FILE.safetensors", description = "Where to write the tensor.")
    Path out;

    @Override
    public Integer call() throws IOException {
        EmbeddingLibrary embeddings = promptOptions.embeddings();
        ExtraNetworkTags tags = ExtraNetworkTags.extract(prompt);
        try (StableDiffusion model = modelOptions.load(); ActiveLoras loras = loraOptions.activate(model, tags.loras());
             NDManager manager = NDManager.newBaseManager()) {
            PromptEncoder encoder = new PromptEncoder(model.tokenizer(), model.textModel(), embeddings);
            NDArray hidden = encoder.encode(manager, tags.text(), promptOptions.emphasis(), clipSkip);
            NDArray rows = hidden.reshape(-1, hidden.getShape().get(2));
            new SafetensorsWriter().add("hidden", rows).write(out);
            System.out.println(out + " hidden " + rows.getShape());
        }
        return 0;
    }
}
