package dev.diffarm.engine.upscale;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.diffarm.api.upscale.PixelPath;
import dev.diffarm.api.upscale.Tiling;
import dev.diffarm.api.upscale.UpscaleNetwork;
import dev.diffarm.api.upscale.Upscaler;
import dev.diffarm.api.upscale.UpscalerArchitecture;
import dev.diffarm.api.upscale.UpscalerWeights;
import dev.diffarm.engine.nn.NativeTensorOps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The upscalers the plugins supply: resamplers by name ({@code Lanczos}, {@code Nearest}), and the network
 * architectures ({@code ESRGAN}) that model files are loaded with.
 */
public final class Upscalers {
    private final Map<String, Upscaler> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private final List<UpscalerArchitecture> architectures;

    /** @throws IllegalStateException if two resamplers share a name or an alias */
    public Upscalers(List<Upscaler> resamplers, List<UpscalerArchitecture> architectures) {
        for (Upscaler upscaler : resamplers) {
            List<String> names = new ArrayList<>(upscaler.aliases());
            names.add(0, upscaler.name());
            for (String name : names) {
                Upscaler before = byName.putIfAbsent(name, upscaler);
                if (before != null && before.getClass() != upscaler.getClass()) {
                    throw new IllegalStateException("two upscalers are named " + name + ": "
                            + before.getClass().getName() + " and " + upscaler.getClass().getName());
                }
            }
        }
        this.architectures = List.copyOf(architectures);
    }

    /** The resamplers' names, as users select them. */
    public List<String> names() {
        return byName.values().stream().map(Upscaler::name).distinct().sorted().toList();
    }

    /** The network architectures model files can hold ({@code ESRGAN}). */
    public List<String> architectures() {
        return architectures.stream().map(UpscalerArchitecture::name).toList();
    }

    /** The resampler named {@code name} (or an alias), case ignored. */
    public Optional<Upscaler> resampler(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /**
     * The upscaler {@code nameOrFile} names: a resampler by name, else a model file whose network one of the
     * architectures recognises, loaded now.
     *
     * @param option names the setting in errors ({@code --upscaler})
     * @param tiling how a network cuts pictures into tiles (ignored by resamplers)
     * @throws IllegalArgumentException for a name that is neither, listing the known upscalers, or a file no
     *                                  architecture recognises, saying why for each
     */
    public ImageUpscaler open(String option, String nameOrFile, Tiling tiling) {
        return open(option, nameOrFile, tiling, PixelPath.RGB_FLOAT);
    }

    /** As {@link #open(String, String, Tiling)}, a network's weights and passes on {@code device}. */
    public ImageUpscaler open(String option, String nameOrFile, Tiling tiling, Device device) {
        return open(option, nameOrFile, tiling, PixelPath.RGB_FLOAT, device);
    }

    /** As {@link #open(String, String, Tiling)}, a network fed as {@code path} says (A1111's exact 8-bit BGR path). */
    public ImageUpscaler open(String option, String nameOrFile, Tiling tiling, PixelPath path) {
        return open(option, nameOrFile, tiling, path, Device.cpu());
    }

    /** As {@link #open(String, String, Tiling, PixelPath)}, a network's weights and passes on {@code device}. */
    public ImageUpscaler open(String option, String nameOrFile, Tiling tiling, PixelPath path, Device device) {
        Optional<Upscaler> resampler = resampler(nameOrFile);
        if (resampler.isPresent()) {
            return new ResamplingUpscaler(resampler.get());
        }
        Path file = Path.of(nameOrFile);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(option + ": '" + nameOrFile + "' is not an upscaler; expected one of "
                    + names() + " or a model file (.safetensors, .pth) of " + architectures()
                    + (byName.isEmpty() ? " (no upscaler plugin is loaded: is the plugins directory right?)" : ""));
        }
        NDManager manager = NDManager.newBaseManager(device);
        try {
            UpscalerWeights weights = UpscalerModelFile.read(file, manager);
            return new NetworkUpscaler(weights.name(), manager, network(option + " " + file, weights), tiling, path);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * The network of weights already in memory (a benchmark's random ones), loaded by the first architecture that
     * recognises them.
     *
     * @param what    names the weights in errors
     * @param manager owns the weights' arrays; the upscaler closes it when it is closed
     * @throws IllegalArgumentException if no architecture recognises the weights
     */
    public ImageUpscaler open(String what, UpscalerWeights weights, NDManager manager, Tiling tiling) {
        return new NetworkUpscaler(weights.name(), manager, network(what, weights), tiling, PixelPath.RGB_FLOAT);
    }

    /**
     * The network of the first architecture that recognises {@code weights}, handed the engine's fast operators.
     *
     * @param what names the file in errors
     */
    UpscaleNetwork network(String what, UpscalerWeights weights) {
        List<String> reasons = new ArrayList<>();
        for (UpscalerArchitecture architecture : architectures) {
            Optional<String> mismatch = architecture.mismatch(weights);
            if (mismatch.isEmpty()) {
                return architecture.load(weights, NativeTensorOps.INSTANCE);
            }
            reasons.add(architecture.name() + ": " + mismatch.get());
        }
        throw new IllegalArgumentException(what + ": no upscaler architecture recognises it"
                + (reasons.isEmpty() ? " (no upscaler plugin is loaded)" : " (" + String.join("; ", reasons) + ")"));
    }
}
