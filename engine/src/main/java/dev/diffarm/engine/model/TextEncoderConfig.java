package dev.diffarm.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/**
 * The shape of a CLIP text transformer, as transformers' {@code config.json} gives it.
 *
 * @param vocabSize     token embeddings
 * @param hiddenSize    width D of the embeddings
 * @param layers        transformer layers
 * @param heads         attention heads
 * @param intermediate  width of the MLP
 * @param positions     maximum positions (77)
 * @param layerNormEps  layer norm epsilon
 * @param quickGelu     activation: quick GELU (x * sigmoid(1.702 x), CLIP) or exact GELU
 */
public record TextEncoderConfig(int vocabSize, int hiddenSize, int layers, int heads, int intermediate,
                                int positions, double layerNormEps, boolean quickGelu) {

    public static TextEncoderConfig fromJson(Path file) {
        JsonNode c = ConfigFiles.read(file);
        String act = c.path("hidden_act").asText("quick_gelu");
        if (!act.equals("quick_gelu") && !act.equals("gelu")) {
            throw new ModelLoadException(file + ": hidden_act '" + act + "' is not supported (expected quick_gelu or gelu)");
        }
        return new TextEncoderConfig(
                c.path("vocab_size").asInt(49408),
                c.path("hidden_size").asInt(768),
                c.path("num_hidden_layers").asInt(12),
                c.path("num_attention_heads").asInt(12),
                c.path("intermediate_size").asInt(3072),
                c.path("max_position_embeddings").asInt(77),
                c.path("layer_norm_eps").asDouble(1e-5),
                act.equals("quick_gelu"));
    }
}
