package dev.diffarm.engine.pipeline;

import dev.diffarm.engine.lora.LoraRequest;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What txt2img requests must share to render as one UNet batch ({@link GenerationBatch}): the sampler and its
 * schedule and eta, the steps, the size, whether guidance runs (a guided batch evaluates the negative prompt for
 * every row; a scale of 1 skips it), and the LoRAs fused into the model. Prompts, negative prompts, seeds, guidance
 * scales, clip skip and emphasis may differ from request to request.
 *
 * @param sampler  the sampler's A1111 name
 * @param schedule the selected schedule's name; empty for the model's own
 * @param eta      the request's eta; empty for the sampler's default
 * @param steps    sampling steps
 * @param width    image width
 * @param height   image height
 * @param guided   whether classifier-free guidance runs (a scale other than 1)
 * @param loras    the LoRAs fused for the render, in order: the request's, then its prompt's tags
 */
public record BatchKey(String sampler, Optional<String> schedule, OptionalDouble eta, int steps, int width, int height,
                       boolean guided, List<LoraRequest> loras) {
    public BatchKey {
        loras = List.copyOf(loras);
    }
}
