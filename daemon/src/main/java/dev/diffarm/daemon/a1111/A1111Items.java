package dev.diffarm.daemon.a1111;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** The items of A1111's catalog answers, field for field as its {@code modules/api/models.py} names them. */
final class A1111Items {
    private A1111Items() {
    }

    /** An item of {@code /sd-models}: A1111's {@code SDModelItem}. diffarm hashes no model until it loads it. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record SdModel(String title, @JsonProperty("model_name") String modelName, String hash, String sha256,
                   String filename, String config) {
    }

    /** An item of {@code /samplers}: A1111's {@code SamplerItem}. */
    record Sampler(String name, List<String> aliases, Map<String, Object> options) {
    }

    /** An item of {@code /schedulers}: A1111's {@code SchedulerItem}. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Scheduler(String name, String label, List<String> aliases, @JsonProperty("default_rho") Double defaultRho,
                     @JsonProperty("need_inner_model") Boolean needInnerModel) {
    }

    /** An item of {@code /upscalers}: A1111's {@code UpscalerItem}; {@code None} and the resamplers have no model. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Upscaler(String name, @JsonProperty("model_name") String modelName, @JsonProperty("model_path") String modelPath,
                    @JsonProperty("model_url") String modelUrl, Double scale) {
    }

    /** An item of {@code /latent-upscale-modes}: A1111's {@code LatentUpscalerModeItem}. */
    record LatentUpscaleMode(String name) {
    }

    /** An item of {@code /loras}, as A1111's built-in Lora extension lists them. */
    record Lora(String name, String alias, String path, Map<String, Object> metadata) {
    }

    /** An embedding of {@code /embeddings}: A1111's {@code EmbeddingItem}; diffarm reads no training record. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Embedding(Integer step, @JsonProperty("sd_checkpoint") String sdCheckpoint,
                     @JsonProperty("sd_checkpoint_name") String sdCheckpointName, int shape, int vectors) {
    }

    /** The answer of {@code /embeddings}: A1111's {@code EmbeddingsResponse}. */
    record Embeddings(Map<String, Embedding> loaded, Map<String, Embedding> skipped) {
    }
}
