package dev.diffarm.api.upscale;

import dev.diffarm.api.tensor.TensorOps;
import java.util.Optional;
import org.pf4j.ExtensionPoint;

/**
 * A family of super-resolution networks (ESRGAN's RRDBNet, ...) that model files hold. Plugins provide them as PF4J
 * extensions ({@code @Extension}). The host reads a model file into {@link UpscalerWeights}, asks each architecture
 * whether it {@link #recognizes} the weights, and loads them with the first that does.
 *
 * <p>An architecture is stateless; the networks it loads are independent of each other.
 */
public interface UpscalerArchitecture extends ExtensionPoint {
    /** The family's name, as A1111 groups its upscalers ({@code ESRGAN}). */
    String name();

    /**
     * Empty when {@code weights} are a network of this family, else why not (shown when no architecture
     * recognises a file), such as {@code "no conv_first.weight or model.0.weight"}.
     */
    Optional<String> mismatch(UpscalerWeights weights);

    /**
     * The network the weights describe, its configuration and scale read from the weights themselves.
     *
     * @throws IllegalArgumentException naming the key when a tensor is missing, unused or of the wrong shape
     */
    UpscaleNetwork load(UpscalerWeights weights);

    /**
     * The network the weights describe, computing with the host's tensor operations {@code ops} (fast convolutions)
     * where it can. The host loads every network through this method; an architecture built against plugin API 1.2 or
     * older does not override it and runs on DJL's operators as before.
     *
     * @throws IllegalArgumentException as {@link #load(UpscalerWeights)}
     * @since plugin API 1.3
     */
    default UpscaleNetwork load(UpscalerWeights weights, TensorOps ops) {
        return load(weights);
    }
}
