package dev.diffarm.engine.train;

import dev.diffarm.engine.model.LayerIndex;
import dev.diffarm.engine.model.WeightedLayer;
import dev.diffarm.engine.nn.Linear;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which linear layers of the UNet get a LoRA. Either peft's {@code target_modules} rule (a layer is a target if its key
 * path is one of the names or ends with {@code "." + name}, e.g. {@code to_q,to_k,to_v,to_out.0}), or kohya's default
 * for SD 1.x/2.x LoRA: every linear layer inside a transformer block of the UNet ({@code Transformer2DModel}: the
 * attention projections, the feed-forward layers and, where they are linear, {@code proj_in}/{@code proj_out}).
 *
 * <p>kohya also trains the 1x1-convolution {@code proj_in}/{@code proj_out} of SD 1.x by default; this trainer trains
 * linear layers only. On the text encoder kohya's default set is {@link #selectTextEncoder}.
 */
public final class LoraTargetModules {
    private final List<String> names;

    private LoraTargetModules(List<String> names) {
        this.names = List.copyOf(names);
    }

    /** peft's rule over {@code names}. */
    public static LoraTargetModules peft(List<String> names) {
        if (names.isEmpty() || names.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("loraTargets: expected module names such as to_q,to_k,to_v,to_out.0; got "
                    + names);
        }
        return new LoraTargetModules(names);
    }

    /** kohya's default: every linear layer of the UNet's transformer blocks. */
    public static LoraTargetModules kohyaDefault() {
        return new LoraTargetModules(List.of());
    }

    /** peft's module names, or empty for kohya's default. */
    public java.util.Optional<List<String>> peftNames() {
        return names.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(names);
    }

    /** The selected linear layers by key path, in the UNet's build order. */
    Map<String, Linear> select(LayerIndex unet) {
        Map<String, Linear> out = new LinkedHashMap<>();
        for (String path : unet.paths()) {
            WeightedLayer layer = unet.find(path).orElseThrow();
            if (layer instanceof Linear linear && selects(path)) {
                out.put(path, linear);
            }
        }
        return out;
    }

    /**
     * kohya's text-encoder targets ({@code TEXT_ENCODER_TARGET_REPLACE_MODULE = ["CLIPAttention", "CLIPMLP"]}): every
     * linear layer of the encoder's layers, {@code self_attn.q_proj, k_proj, v_proj, out_proj} and {@code mlp.fc1,
     * fc2}, by key path in the text encoder's build order.
     */
    static Map<String, Linear> selectTextEncoder(LayerIndex textEncoder) {
        Map<String, Linear> out = new LinkedHashMap<>();
        for (String path : textEncoder.paths()) {
            if (textEncoder.find(path).orElseThrow() instanceof Linear linear
                    && (path.contains(".self_attn.") || path.contains(".mlp."))) {
                out.put(path, linear);
            }
        }
        return out;
    }

    private boolean selects(String path) {
        if (names.isEmpty()) {
            return path.contains(".attentions.");
        }
        return names.stream().anyMatch(n -> path.equals(n) || path.endsWith("." + n));
    }

    @Override
    public String toString() {
        return names.isEmpty() ? "kohya's default (every linear layer of the UNet's transformer blocks)" : String.join(",", names);
    }
}
