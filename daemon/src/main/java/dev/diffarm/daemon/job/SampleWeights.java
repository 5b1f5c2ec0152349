package dev.diffarm.daemon.job;

import dev.diffarm.engine.embedding.EmbeddingLibrary;
import dev.diffarm.engine.lora.LoraRequest;
import java.util.List;

/**
 * What a render needs besides the model to show a run's current weights: the LoRA it has learnt so far, or its
 * embedding; nothing for a run that trains the model's own weights (DreamBooth).
 *
 * @param loras      LoRAs to fuse for the render
 * @param embeddings embeddings the prompts may trigger
 */
record SampleWeights(List<LoraRequest> loras, EmbeddingLibrary embeddings) {
    /** The model as it is. */
    static final SampleWeights NONE = new SampleWeights(List.of(), EmbeddingLibrary.none());
}
