package dev.diffarm.engine.cli;

import dev.diffarm.engine.lora.ActiveLoras;
import dev.diffarm.engine.lora.LoraLibrary;
import dev.diffarm.engine.lora.LoraRequest;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.prompt.LoraTag;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The options that say which LoRAs to fuse into the model, and where named LoRAs are found. */
final class LoraOptions {
    @Option(names = "--lora", paramLabel = "PATH:WEIGHT",
            description = "A LoRA (.safetensors, kohya or diffusers naming) and its weight, default 1; repeat for "
                    + "several. With --lora-dir, a bare NAME is NAME.safetensors in that folder.")
    List<String> loras = new ArrayList<>();

    @Option(names = "--lora-dir", paramLabel = "DIR",
            description = "The folder of named LoRAs: NAME.safetensors, for <lora:NAME:WEIGHT> and --lora NAME:WEIGHT.")
    Path loraDir;

    /**
     * Reads and fuses into {@code model} the LoRAs of {@code --lora} and those the prompt names with
     * {@code <lora:NAME:WEIGHT>} (found in {@code --lora-dir}), printing a warning for keys that match no layer: for
     * {@code encode}, which runs the text encoder alone ({@code render} hands {@link #requests} and {@link #dir} to
     * the engine's {@code Generator}).
     */
    ActiveLoras activate(StableDiffusion model, List<LoraTag> promptTags) throws IOException {
        List<LoraRequest> requests = new ArrayList<>(requests());
        requests.addAll(LoraLibrary.forTags(dir(), promptTags));
        ActiveLoras active = ActiveLoras.activate(model, requests);
        active.warnings().forEach(w -> System.err.println("diffarm: warning: " + w));
        return active;
    }

    /** The folder of named LoRAs ({@code --lora-dir}), if one was given. */
    Optional<Path> dir() {
        return Optional.ofNullable(loraDir);
    }

    /** The LoRAs of {@code --lora}, in order. */
    List<LoraRequest> requests() {
        Optional<LoraLibrary> library = dir().map(LoraLibrary::new);
        List<LoraRequest> requests = new ArrayList<>();
        for (String option : loras) {
            requests.add(request(option, library));
        }
        return requests;
    }

    /** {@code PATH[:WEIGHT]}: the weight follows the last colon. */
    private static LoraRequest request(String option, Optional<LoraLibrary> library) {
        int colon = option.lastIndexOf(':');
        String target = colon < 0 ? option : option.substring(0, colon);
        double weight = 1.0;
        if (colon >= 0) {
            try {
                weight = Double.parseDouble(option.substring(colon + 1));
            } catch (NumberFormatException e) {
                weight = Double.NaN;
            }
            if (!Double.isFinite(weight)) {
                throw new IllegalArgumentException("--lora " + option + ": weight '" + option.substring(colon + 1)
                        + "' is not a number; expected PATH:WEIGHT such as style.safetensors:0.8");
            }
        }
        if (target.isEmpty()) {
            throw new IllegalArgumentException("--lora " + option + ": no file; expected PATH:WEIGHT such as style.safetensors:0.8");
        }
        boolean named = library.isPresent() && !target.contains("/") && !target.contains("\\")
                && !target.toLowerCase(Locale.ROOT).endsWith(".safetensors");
        Path file = named ? library.get().resolve(target) : Path.of(target);
        String fileName = file.getFileName().toString();
        String name = named ? target : fileName.replaceFirst("(?i)\\.safetensors$", "");
        return new LoraRequest(name, file, weight);
    }
}
