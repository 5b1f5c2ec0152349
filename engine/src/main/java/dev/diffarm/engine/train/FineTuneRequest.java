package dev.diffarm.engine.train;

import dev.diffarm.api.finetune.MethodOptions;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What to fine-tune, whatever the method.
 *
 * @param method           the fine-tune method's name ({@code lora}, {@code dreambooth}, {@code textual-inversion})
 * @param options          the method's own options
 * @param data             the folder of instance images (with {@code .txt} captions unless {@code instancePrompt})
 * @param instancePrompt   DreamBooth's caption of every instance image, instead of the caption files
 * @param classImages      DreamBooth's class images for prior preservation
 * @param settings         the hyperparameters
 * @param out              the result's file
 * @param saveEvery        save every this many steps (0: only at the end)
 * @param saveState        save the whole training state ({@code OUT.state/step-NNNNNN}) instead of a result file
 * @param resume           a saved state to continue from
 * @param baseModelVersion {@code ss_base_model_version}
 */
public record FineTuneRequest(String method, MethodOptions options, Path data, Optional<String> instancePrompt,
                              Optional<ClassImages> classImages, TrainingSettings settings, Path out, int saveEvery,
                              boolean saveState, Optional<Path> resume, String baseModelVersion) {
    public FineTuneRequest {
        if (saveEvery < 0) {
            throw new IllegalArgumentException("saveEvery: expected 0 or more steps, got " + saveEvery);
        }
        if (instancePrompt.isPresent() && instancePrompt.get().isBlank()) {
            throw new IllegalArgumentException("instancePrompt: expected a caption such as 'a photo of zwx dog', got ''");
        }
    }

    /**
     * DreamBooth's class images: the first {@code count} images (by name) of {@code folder}, each captioned
     * {@code prompt}.
     */
    public record ClassImages(Path folder, String prompt, int count) {
        public ClassImages {
            if (prompt.isBlank()) {
                throw new IllegalArgumentException("classPrompt: expected a caption such as 'a photo of a dog', got ''");
            }
            if (count < 1) {
                throw new IllegalArgumentException("numClassImages: expected at least 1, got " + count);
            }
        }
    }

    /** Where {@code --save-state} writes: {@code OUT.state}. */
    public Path stateRoot() {
        return out.resolveSibling(out.getFileName() + ".state");
    }

    /** The result's name: the file name without {@code .safetensors}. */
    public String outputName() {
        String file = out.getFileName().toString();
        return file.endsWith(".safetensors") ? file.substring(0, file.length() - ".safetensors".length()) : file;
    }
}
