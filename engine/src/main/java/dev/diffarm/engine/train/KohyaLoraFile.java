package dev.diffarm.engine.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diffarm.engine.lora.LoraModule.Component;
import dev.diffarm.engine.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A trained LoRA as kohya's sd-scripts save it, the layout A1111 and ComfyUI load: for a UNet layer at key path P,
 * {@code lora_unet_<P with '.' → '_'>.lora_down.weight} (A [r, in]), {@code .lora_up.weight} (B [out, r]) and
 * {@code .alpha} (a float32 scalar: the true alpha, so that the scale is alpha / r), for a text-encoder layer the same
 * under {@code lora_te_<P with '.' → '_'>}, with kohya's {@code ss_*} metadata. The learning rates of kohya's two
 * groups ({@code ss_text_encoder_lr}, {@code ss_unet_lr}) are the LoRA method's options: it adds them.
 */
public final class KohyaLoraFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private KohyaLoraFile() {
    }

    /**
     * What the file records about the run.
     *
     * @param outputName       {@code ss_output_name}: the LoRA's name (the file name without extension)
     * @param baseModelVersion {@code ss_base_model_version}, e.g. {@code sd_v1}
     * @param settings         the hyperparameters
     * @param tagFrequency     {@code ss_tag_frequency}: per data folder, how often each caption tag occurs
     * @param trainImages      {@code ss_num_train_images}
     */
    public record Description(String outputName, String baseModelVersion, TrainingSettings settings,
                              Map<String, Map<String, Integer>> tagFrequency, int trainImages) {
        /** kohya's {@code ss_*} entries of the run (all but the network's own). */
        public Map<String, String> metadata() {
            return runMetadata(this);
        }
    }

    /** kohya's tag count of one folder's captions: each caption split at commas, each tag trimmed. */
    public static Map<String, Integer> tagFrequency(List<String> captions) {
        Map<String, Integer> counts = new TreeMap<>();
        for (String caption : captions) {
            for (String tag : caption.split(",")) {
                String t = tag.strip();
                if (!t.isEmpty()) {
                    counts.merge(t, 1, Integer::sum);
                }
            }
        }
        return counts;
    }

    /**
     * The key stem of the layer at {@code path}: {@code lora_unet_<path with '.' → '_'>} for the UNet,
     * {@code lora_te_<path with '.' → '_'>} for the text encoder ({@code lora_te_text_model_encoder_layers_0_mlp_fc1}).
     */
    static String stem(Component component, String path) {
        String prefix = component == Component.UNET ? "lora_unet_" : "lora_te_";
        return prefix + path.replace('.', '_');
    }

    /** Writes {@code lora} to {@code target} (replaced atomically). */
    public static void write(LoraNetwork lora, Description description, Path target) throws IOException {
        write(lora, description.metadata(), target);
    }

    /** Writes {@code lora} with the network's {@code ss_*} entries and {@code runMetadata} (replaced atomically). */
    public static void write(LoraNetwork lora, Map<String, String> runMetadata, Path target) throws IOException {
        SafetensorsWriter writer = new SafetensorsWriter();
        for (TrainableLora module : lora.modules()) {
            String stem = module.stem();
            writer.add(stem + ".lora_down.weight", module.down().toFloatArray(), module.down().getShape().getShape());
            writer.add(stem + ".lora_up.weight", module.up().toFloatArray(), module.up().getShape().getShape());
            writer.add(stem + ".alpha", new float[] {module.alpha()});
        }
        Map<String, String> m = new LinkedHashMap<>();
        m.put("ss_network_module", "networks.lora");
        m.put("ss_network_dim", Integer.toString(lora.rank()));
        m.put("ss_network_alpha", pythonFloat(lora.alpha()));
        m.put("ss_network_train_unet_only", lora.hasTextEncoderModules() ? "False" : "True");
        m.putAll(runMetadata);
        m.forEach(writer::metadata);
        writer.write(target);
    }

    static Map<String, String> runMetadata(Description d) {
        TrainingSettings s = d.settings();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("ss_base_model_version", d.baseModelVersion());
        m.put("ss_output_name", d.outputName());
        m.put("ss_learning_rate", pythonFloat(s.learningRate()));
        m.put("ss_lr_scheduler", s.lrSchedule().diffusersName());
        m.put("ss_lr_warmup_steps", Integer.toString(s.lrWarmupSteps()));
        m.put("ss_max_train_steps", Integer.toString(s.maxTrainSteps()));
        m.put("ss_gradient_accumulation_steps", Integer.toString(s.gradientAccumulationSteps()));
        m.put("ss_batch_size_per_device", Integer.toString(s.trainBatchSize()));
        m.put("ss_max_grad_norm", pythonFloat(s.maxGradNorm()));
        m.put("ss_seed", Long.toString(s.seed()));
        m.put("ss_num_train_images", Integer.toString(d.trainImages()));
        m.put("ss_optimizer", "torch.optim.AdamW(weight_decay=0.01,betas=(0.9, 0.999),eps=1e-08)");
        m.put("ss_noise_offset", pythonFloat(s.noiseOffset()));
        m.put("ss_gradient_checkpointing", s.gradientCheckpointing() ? "True" : "False");
        m.put("ss_v_parameterization", s.prediction() == NoiseObjective.Prediction.V_PREDICTION ? "True" : "False");
        s.snrGamma().ifPresent(g -> m.put("ss_min_snr_gamma", pythonFloat(g)));
        try {
            m.put("ss_tag_frequency", JSON.writeValueAsString(d.tagFrequency()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return m;
    }

    /** A number as Python's {@code str(float)} writes it in the usual range ({@code 4.0}, {@code 0.001}). */
    static String pythonFloat(double value) {
        if (value != 0 && (Math.abs(value) < 1e-4 || Math.abs(value) >= 1e16)) {
            return Double.toString(value).replace("E", "e");
        }
        String plain = new BigDecimal(Double.toString(value)).stripTrailingZeros().toPlainString();
        return plain.contains(".") ? plain : plain + ".0";
    }
}
