package dev.diffarm.engine.train.data;

/** Where the captions of an {@link ImageSet} come from. */
public sealed interface CaptionSource {

    /**
     * kohya's convention: {@code img.txt} beside {@code img.png} (the extension configurable), its first line,
     * stripped; an image without one gets {@code fallback} (kohya's class tokens, from the folder name).
     *
     * @param extension the caption file's extension, with or without the leading dot
     * @param fallback  the caption of an image without a caption file; may be empty
     */
    record CaptionFiles(String extension, String fallback) implements CaptionSource {
        public CaptionFiles {
            if (extension.isBlank()) {
                throw new IllegalArgumentException("captionExtension must not be blank");
            }
            extension = extension.startsWith(".") ? extension : "." + extension;
        }
    }

    /** DreamBooth's way: every image of the set has the same prompt ({@code instancePrompt}, {@code classPrompt}). */
    record FixedPrompt(String prompt) implements CaptionSource {
    }
}
