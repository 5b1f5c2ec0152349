package dev.diffarm.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.diffarm.engine.safetensors.SafetensorsException;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The files of one Stable Diffusion 1.x model, opened lazily: each component's tensors (under diffusers names) and
 * config, and the scheduler config and tokenizer folder where the model has them. Opening reads headers and configs
 * only. Two forms are read: a diffusers folder ({@code model_index.json}, {@code unet/}, {@code vae/},
 * {@code text_encoder/}) and a single-file {@code .safetensors} checkpoint in the original CompVis layout, whose
 * configs come from a diffusers folder given beside it or else from its tensor shapes ({@link ArchitectureInference}).
 */
public final class ModelFiles implements AutoCloseable {
    private static final String FORMATS = "a diffusers folder (with model_index.json) or a .safetensors single-file checkpoint";
    static final Set<String> PICKLE_EXTENSIONS = Set.of(".ckpt", ".pt", ".pth", ".bin");

    /** How the model is stored. */
    public enum Format { DIFFUSERS_FOLDER, SINGLE_FILE }

    /** One component's tensors and the config that says how to build it. */
    public record Component<C>(TensorSource tensors, C config) {
    }

    private final Path path;
    private final Format format;
    private final List<SafetensorsFile> files;
    private final Component<UNetConfig> unet;
    private final Component<VaeConfig> vae;
    private final Component<TextEncoderConfig> textEncoder;
    private final Optional<Path> schedulerConfig;
    private final Optional<Path> tokenizerDir;
    private final List<String> otherTensors;

    private ModelFiles(Path path, Format format, List<SafetensorsFile> files, Component<UNetConfig> unet,
                       Component<VaeConfig> vae, Component<TextEncoderConfig> textEncoder, Path configDir,
                       List<String> otherTensors) {
        this.path = path;
        this.format = format;
        this.files = files;
        this.unet = unet;
        this.vae = vae;
        this.textEncoder = textEncoder;
        this.otherTensors = List.copyOf(otherTensors);
        Path scheduler = configDir == null ? null : configDir.resolve("scheduler").resolve("scheduler_config.json");
        Path tokenizer = configDir == null ? null : configDir.resolve("tokenizer");
        this.schedulerConfig = Optional.ofNullable(scheduler).filter(Files::isRegularFile);
        this.tokenizerDir = Optional.ofNullable(tokenizer).filter(Files::isDirectory);
    }

    /**
     * Opens {@code model}: a diffusers folder or a {@code .safetensors} single-file checkpoint.
     *
     * @param configDir a diffusers folder whose {@code unet/}, {@code vae/} and {@code text_encoder/} config.json
     *                  files describe the model (they win over the model's own or inferred configs); its
     *                  {@code scheduler/} and {@code tokenizer/} serve a single file that has none
     * @throws ModelLoadException naming the path and what was expected, for a missing or foreign model or a pickle
     */
    public static ModelFiles open(Path model, Optional<Path> configDir) {
        if (!Files.exists(model)) {
            throw new ModelLoadException("model " + model + " does not exist; expected " + FORMATS);
        }
        configDir.ifPresent(ModelFiles::requireConfigFolder);
        if (Files.isDirectory(model)) {
            return openFolder(model, configDir.orElse(model));
        }
        String name = model.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".safetensors")) {
            return openSingleFile(model, configDir);
        }
        String extension = name.contains(".") ? name.substring(name.lastIndexOf('.')) : "";
        if (PICKLE_EXTENSIONS.contains(extension)) {
            throw refusePickle(model);
        }
        throw new ModelLoadException("model " + model + " is neither a folder nor a .safetensors file; expected " + FORMATS);
    }

    private static ModelFiles openFolder(Path folder, Path configDir) {
        Path index = folder.resolve("model_index.json");
        if (!Files.isRegularFile(index)) {
            throw new ModelLoadException("model folder " + folder + " has no model_index.json; expected " + FORMATS);
        }
        JsonNode pipeline = ConfigFiles.read(index);
        if (pipeline.has("text_encoder_2")) {
            throw new ModelLoadException("model folder " + folder + " is an SDXL pipeline ("
                    + pipeline.path("_class_name").asText("model_index.json lists text_encoder_2")
                    + "); diffarm loads Stable Diffusion 1.x models");
        }
        Path unetFile = componentWeights(folder, "unet", "diffusion_pytorch_model");
        Path vaeFile = componentWeights(folder, "vae", "diffusion_pytorch_model");
        Path textFile = componentWeights(folder, "text_encoder", "model");
        Configs configs = Configs.read(configDir);
        List<SafetensorsFile> files = new ArrayList<>();
        try {
            TensorSource unet = new SafetensorsTensorSource(open(unetFile, files));
            TensorSource vae = new SafetensorsTensorSource(open(vaeFile, files));
            TensorSource text = new SafetensorsTensorSource(open(textFile, files), "",
                    KeyMap.identity(Set.of(CompVisKeyMap.CLIP_POSITION_IDS)));
            return new ModelFiles(folder, Format.DIFFUSERS_FOLDER, files, new Component<>(unet, configs.unet()),
                    new Component<>(vae, configs.vae()), new Component<>(text, configs.textEncoder()), configDir, List.of());
        } catch (RuntimeException e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static ModelFiles openSingleFile(Path checkpoint, Optional<Path> configDir) {
        List<SafetensorsFile> files = new ArrayList<>();
        try {
            SafetensorsFile file = open(checkpoint, files);
            ArchitectureInference.requireStableDiffusion1(file);
            Configs configs = configDir.map(Configs::read).orElseGet(() -> new Configs(ArchitectureInference.unet(file),
                    ArchitectureInference.vae(file), ArchitectureInference.textEncoder(file)));
            TensorSource unet = new SafetensorsTensorSource(file, CompVisKeyMap.UNET_PREFIX, CompVisKeyMap.unet(configs.unet()));
            TensorSource vae = new SafetensorsTensorSource(file, CompVisKeyMap.VAE_PREFIX, CompVisKeyMap.vae(configs.vae()));
            TensorSource text = new SafetensorsTensorSource(file, CompVisKeyMap.TEXT_ENCODER_PREFIX, CompVisKeyMap.textEncoder());
            List<String> others = file.names().stream().filter(name -> !name.startsWith(CompVisKeyMap.UNET_PREFIX)
                    && !name.startsWith(CompVisKeyMap.VAE_PREFIX) && !name.startsWith(CompVisKeyMap.TEXT_ENCODER_PREFIX)).toList();
            return new ModelFiles(checkpoint, Format.SINGLE_FILE, files, new Component<>(unet, configs.unet()),
                    new Component<>(vae, configs.vae()), new Component<>(text, configs.textEncoder()), configDir.orElse(null),
                    others);
        } catch (RuntimeException e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    /** {@code folder/component/name.safetensors}, refusing a pickled {@code name.bin} in its place. */
    private static Path componentWeights(Path folder, String component, String name) {
        Path dir = folder.resolve(component);
        Path weights = dir.resolve(name + ".safetensors");
        if (Files.isRegularFile(weights)) {
            return weights;
        }
        Path pickle = dir.resolve(name + ".bin");
        if (Files.isRegularFile(pickle)) {
            throw refusePickle(pickle);
        }
        throw new ModelLoadException("model folder " + folder + " has no " + component + "/" + name
                + ".safetensors; expected a diffusers folder with unet/, vae/ and text_encoder/ weights in safetensors");
    }

    private static void requireConfigFolder(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ModelLoadException("config folder " + dir + " is not a folder; expected a diffusers folder with "
                    + "unet/config.json, vae/config.json and text_encoder/config.json");
        }
    }

    static ModelLoadException refusePickle(Path file) {
        return new ModelLoadException(file + " is a PyTorch pickle, which can run code when read and which diffarm "
                + "does not load; convert it to .safetensors first");
    }

    static SafetensorsFile open(Path file, List<SafetensorsFile> opened) {
        try {
            SafetensorsFile f = SafetensorsFile.open(file);
            opened.add(f);
            return f;
        } catch (SafetensorsException e) {
            throw new ModelLoadException(e.getMessage(), e);
        }
    }

    private record Configs(UNetConfig unet, VaeConfig vae, TextEncoderConfig textEncoder) {
        static Configs read(Path dir) {
            return new Configs(UNetConfig.fromJson(dir.resolve("unet").resolve("config.json")),
                    VaeConfig.fromJson(dir.resolve("vae").resolve("config.json")),
                    TextEncoderConfig.fromJson(dir.resolve("text_encoder").resolve("config.json")));
        }
    }

    /** The model as given: the folder or the checkpoint file. */
    public Path path() {
        return path;
    }

    public Format format() {
        return format;
    }

    public Component<UNetConfig> unet() {
        return unet;
    }

    public Component<VaeConfig> vae() {
        return vae;
    }

    public Component<TextEncoderConfig> textEncoder() {
        return textEncoder;
    }

    /** {@code scheduler/scheduler_config.json} of the folder (or of the config folder given with a single file). */
    public Optional<Path> schedulerConfig() {
        return schedulerConfig;
    }

    /** {@code tokenizer/} of the folder (or of the config folder given with a single file); single files carry none. */
    public Optional<Path> tokenizerDir() {
        return tokenizerDir;
    }

    /**
     * The tensors of a single file that belong to none of the three components, such as EMA copies of the weights
     * ({@code model_ema.*}) or the training schedule ({@code alphas_cumprod}); diffarm reads none of them. Empty for a
     * diffusers folder.
     */
    public List<String> otherTensors() {
        return otherTensors;
    }

    /** Closes the files; tensors already loaded stay valid. */
    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
