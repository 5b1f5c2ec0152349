package dev.diffarm.farm.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Everything that decides one image: the effective prompt (a campaign's style already applied), the seed, the
 * size and the settings (a style's negative prompt and LoRAs already merged in). Two tasks with equal
 * parameters render the same image; the {@link #hash()} says so without comparing fields.
 *
 * <p>The canonical JSON ({@link #toJson()}) is one flat object with the fields {@code cfg}, {@code clipSkip},
 * {@code eta} (only when set, so that tasks stored before the contract had eta keep their hashes), {@code height},
 * {@code loras} (each {@code name}, {@code weight}), {@code model}, {@code negativePrompt}, {@code prompt},
 * {@code sampler}, {@code schedule} (only when set), {@code seed}, {@code steps} and {@code width}, and the fields of
 * the {@link ImageModes} that are set ({@code initImage}, {@code denoisingStrength}, {@code enableHr}, ...; none
 * for txt2img, so that a txt2img task keeps the hash it had before them; a picture given inline is covered as
 * {@code sha256:} and its bytes' digest), sorted by name
 * at every level, without spaces; {@code cfg}, {@code eta} and LoRA weights are always written with a decimal
 * point ({@code 7.0}). It covers the request, not the model file's content: replacing
 * a model's file under the same name does not change the hash.
 *
 * @param prompt   the prompt as the engine receives it
 * @param seed     the seed of the initial noise, 0..{@value Limits#MAX_SEED}
 * @param size     the image size
 * @param settings the effective settings
 */
public record TaskParameters(String prompt, long seed, Size size, RenderSettings settings) {
    public TaskParameters {
        Objects.requireNonNull(prompt, "prompt");
        Rules.SEED.require("seed", seed);
        Objects.requireNonNull(size, "size");
        Objects.requireNonNull(settings, "settings");
    }

    /** The canonical JSON of these parameters (see the class description). */
    public String toJson() {
        return Json.canonical(toJsonTree());
    }

    /** The SHA-256 of the UTF-8 bytes of {@link #toJson()}, as 64 lower-case hex digits. */
    public String hash() {
        return Sha256.hex(toJson().getBytes(StandardCharsets.UTF_8));
    }

    ObjectNode toJsonTree() {
        ObjectNode node = Json.object();
        node.put("prompt", prompt);
        node.put("seed", seed);
        node.put("width", size.width());
        node.put("height", size.height());
        JobJson.writeSettings(node, settings, ImageInput::identity);
        return node;
    }
}
