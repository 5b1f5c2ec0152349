package dev.diffarm.engine.model;

import java.util.Optional;
import java.util.Set;

/**
 * How a file names one component's tensors, against the diffusers names that modules take them by.
 * Every stored key is either translated, deliberately ignored, or unknown; a {@link SafetensorsTensorSource}
 * refuses a file with unknown keys, so nothing is dropped without being listed as ignorable.
 */
public interface KeyMap {

    /**
     * The diffusers name of a stored key, and whether the key belongs to a layer stored as a 1x1 convolution that
     * diffusers holds as a linear layer (its kernel [out, in, 1, 1] is read as the weight [out, in]).
     */
    record Target(String key, boolean convToLinear) {
    }

    /** The target of {@code storedKey} (its component prefix already stripped), or empty if it has no place in the component. */
    Optional<Target> target(String storedKey);

    /** True for stored keys that the component deliberately has no tensor for, such as CLIP's {@code position_ids} buffer. */
    boolean ignores(String storedKey);

    /** What the map expects, for error messages ("a UNet of 4 levels, 2 ResNets per level"). */
    String describe();

    /** Keys stored under their diffusers names already (a diffusers folder), less the {@code ignored} ones. */
    static KeyMap identity(Set<String> ignored) {
        return new KeyMap() {
            @Override
            public Optional<Target> target(String storedKey) {
                return Optional.of(new Target(storedKey, false));
            }

            @Override
            public boolean ignores(String storedKey) {
                return ignored.contains(storedKey);
            }

            @Override
            public String describe() {
                return "diffusers names";
            }
        };
    }
}
