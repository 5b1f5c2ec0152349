package dev.diffarm.engine.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import dev.diffarm.engine.model.TextEncoderConfig;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.nn.DataTypes;
import dev.diffarm.engine.nn.LayerNorm;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CLIP's text transformer as Stable Diffusion uses it: token and position embeddings, causal pre-norm
 * layers, and the final layer norm.
 *
 * <p>Clip skip follows AUTOMATIC1111's numbering: 1 uses the last layer's output, 2 the one before it
 * (diffusers' {@code clip_skip=1}); the final layer norm is applied in every case.
 */
public final class ClipTextModel {
    private final TextEncoderConfig config;
    private final NDArray tokenEmbedding;
    private final NDArray positionEmbedding;
    private final List<ClipEncoderLayer> layers = new ArrayList<>();
    private final LayerNorm finalLayerNorm;
    private final Map<String, NDArray> parameters;

    public ClipTextModel(Weights w, TextEncoderConfig config) {
        this.config = config;
        Weights t = w.at("text_model");
        int d = config.hiddenSize();
        this.tokenEmbedding = t.take("embeddings.token_embedding.weight", config.vocabSize(), d);
        this.positionEmbedding = t.take("embeddings.position_embedding.weight", config.positions(), d);
        t.ignore("embeddings.position_ids");
        for (int i = 0; i < config.layers(); i++) {
            layers.add(new ClipEncoderLayer(t.at("encoder.layers", i), config.heads(), config.layerNormEps(),
                    config.quickGelu()));
        }
        this.finalLayerNorm = new LayerNorm(t.at("final_layer_norm"), config.layerNormEps());
        this.parameters = new LinkedHashMap<>(w.tensors());
    }

    /**
     * Every tensor of the text encoder by its diffusers key ({@code text_model.encoder.layers.0.mlp.fc1.weight}), in
     * the order the layers are built: the arrays it computes with, which full fine-tuning (DreamBooth's
     * {@code --train_text_encoder}) trains in place.
     */
    public Map<String, NDArray> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    public TextEncoderConfig config() {
        return config;
    }

    /**
     * Encodes token ids.
     *
     * @param ids      int64 [batch, tokens], tokens at most the number of positions
     * @param clipSkip 1 for the last layer, 2 for the penultimate, ...
     * @return hidden states [batch, tokens, D]
     */
    public NDArray encode(NDArray ids, int clipSkip) {
        return encodeEmbeddings(tokenEmbeddings(ids), clipSkip);
    }

    /**
     * The token embedding lookup, the encoder's input before positions are added; the caller may replace
     * rows (textual inversion) and pass the result to {@link #encodeEmbeddings}.
     *
     * @param ids int64 [batch, tokens]
     * @return a new array [batch, tokens, D]
     */
    public NDArray tokenEmbeddings(NDArray ids) {
        return ids.getNDArrayInternal().embedding(ids, tokenEmbedding, SparseFormat.DENSE).singletonOrThrow();
    }

    /**
     * Encodes input embeddings (token embeddings, possibly with rows replaced): adds the position
     * embeddings and runs the layers up to {@code clipSkip} and the final layer norm.
     *
     * @param embeddings [batch, tokens, D], tokens at most the number of positions
     * @param clipSkip   1 for the last layer, 2 for the penultimate, ...
     * @return hidden states [batch, tokens, D], float32
     */
    public NDArray encodeEmbeddings(NDArray embeddings, int clipSkip) {
        if (clipSkip < 1 || clipSkip > layers.size()) {
            throw new IllegalArgumentException("clip skip " + clipSkip + " is out of range: expected 1.." + layers.size());
        }
        long tokens = embeddings.getShape().get(1);
        if (tokens > config.positions()) {
            throw new IllegalArgumentException(tokens + " tokens exceed the text encoder's " + config.positions() + " positions");
        }
        NDArray x = DataTypes.as(embeddings, positionEmbedding.getDataType())
                .add(positionEmbedding.get(new NDIndex("0:{}", tokens)));
        for (int i = 0; i <= layers.size() - clipSkip; i++) {
            x = layers.get(i).forward(x);
        }
        // computed in the weights' type; the prompt's conditioning is float32 whatever the precision
        return DataTypes.as(finalLayerNorm.forward(x), DataType.FLOAT32);
    }
}
