package dev.diffarm.engine.model;

import dev.diffarm.engine.safetensors.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Optional;

/**
 * The files of one ControlNet, opened lazily: its tensors under diffusers' names and its config. Two forms are read:
 * a diffusers folder ({@code config.json}, {@code diffusion_pytorch_model.safetensors}) and a single
 * {@code .safetensors} file in the original layout ({@code control_model.input_blocks…}, {@code input_hint_block},
 * {@code zero_convs}, {@code middle_block_out}; with or without the {@code control_model.} prefix), whose config
 * comes from a {@code config.json} given beside it or else from its tensor shapes ({@link ArchitectureInference}).
 */
public final class ControlNetFiles implements AutoCloseable {
    /** The prefix of the original layout's keys where a file keeps them as the training code saved them. */
    public static final String ORIGINAL_PREFIX = "control_model.";
    private static final String FORMATS = "a diffusers ControlNet folder (config.json, "
            + "diffusion_pytorch_model.safetensors) or a .safetensors ControlNet in the original layout";

    private final Path path;
    private final SafetensorsFile file;
    private final ModelFiles.Component<ControlNetConfig> component;

    private ControlNetFiles(Path path, SafetensorsFile file, ModelFiles.Component<ControlNetConfig> component) {
        this.path = path;
        this.file = file;
        this.component = component;
    }

    /**
     * Opens {@code controlNet}: a diffusers folder or a single {@code .safetensors} file.
     *
     * @param config a diffusers {@code config.json} (or a folder holding one) describing the ControlNet; it wins over
     *               the folder's own config or the shapes of a single file
     * @throws ModelLoadException naming the path and what was expected, for a missing or foreign file or a pickle
     */
    public static ControlNetFiles open(Path controlNet, Optional<Path> config) {
        if (!Files.exists(controlNet)) {
            throw new ModelLoadException("ControlNet " + controlNet + " does not exist; expected " + FORMATS);
        }
        Optional<Path> configFile = config.map(ControlNetFiles::configFile);
        if (Files.isDirectory(controlNet)) {
            Path weights = controlNet.resolve("diffusion_pytorch_model.safetensors");
            if (!Files.isRegularFile(weights)) {
                Path pickle = controlNet.resolve("diffusion_pytorch_model.bin");
                throw Files.isRegularFile(pickle) ? ModelFiles.refusePickle(pickle)
                        : new ModelLoadException("ControlNet folder " + controlNet
                        + " has no diffusion_pytorch_model.safetensors; expected " + FORMATS);
            }
            ControlNetConfig read = ControlNetConfig.fromJson(configFile.orElseGet(() -> configFile(controlNet)));
            SafetensorsFile file = ModelFiles.open(weights, new ArrayList<>());
            return new ControlNetFiles(controlNet, file,
                    new ModelFiles.Component<>(new SafetensorsTensorSource(file), read));
        }
        String name = controlNet.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!name.endsWith(".safetensors")) {
            String extension = name.contains(".") ? name.substring(name.lastIndexOf('.')) : "";
            throw ModelFiles.PICKLE_EXTENSIONS.contains(extension) ? ModelFiles.refusePickle(controlNet)
                    : new ModelLoadException("ControlNet " + controlNet + " is neither a folder nor a .safetensors "
                    + "file; expected " + FORMATS);
        }
        SafetensorsFile file = ModelFiles.open(controlNet, new ArrayList<>());
        try {
            String prefix = file.names().stream().anyMatch(k -> k.startsWith(ORIGINAL_PREFIX)) ? ORIGINAL_PREFIX : "";
            if (!file.contains(prefix + "input_hint_block.0.weight")) {
                throw new ModelLoadException("ControlNet " + controlNet + " has no " + prefix
                        + "input_hint_block.0.weight; expected " + FORMATS);
            }
            ControlNetConfig read = configFile.map(ControlNetConfig::fromJson)
                    .orElseGet(() -> ArchitectureInference.controlNet(file, prefix));
            TensorSource tensors = new SafetensorsTensorSource(file, prefix, CompVisKeyMap.controlNet(read));
            return new ControlNetFiles(controlNet, file, new ModelFiles.Component<>(tensors, read));
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** {@code config} itself, or the {@code config.json} inside it when it is a folder. */
    private static Path configFile(Path config) {
        Path file = Files.isDirectory(config) ? config.resolve("config.json") : config;
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("ControlNet config " + file + " does not exist; expected diffusers' "
                    + "ControlNetModel config.json");
        }
        return file;
    }

    /** The ControlNet as given: the folder or the file. */
    public Path path() {
        return path;
    }

    public TensorSource tensors() {
        return component.tensors();
    }

    public ControlNetConfig config() {
        return component.config();
    }

    /** Closes the file; tensors already loaded stay valid. */
    @Override
    public void close() {
        file.close();
    }
}
