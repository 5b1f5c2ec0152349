package dev.diffarm.engine.testing;

import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.pipeline.StableDiffusion;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Optional;

/** Where the reference fixtures are: copies in the test resources, and the shared folder beside the repo. */
public final class Fixtures {
    private Fixtures() {
    }

    /** A file of the sd-tiny set copied into {@code src/test/resources/sd-tiny/}. */
    public static Path sdTiny(String relative) {
        return copied("sd-tiny", relative);
    }

    /** A file of the sd2-tiny set (SD 2.x: v-prediction, OpenCLIP text tower) copied into {@code src/test/resources/sd2-tiny/}. */
    public static Path sd2Tiny(String relative) {
        return copied("sd2-tiny", relative);
    }

    private static Path copied(String set, String relative) {
        URL url = Fixtures.class.getResource("/" + set + "/" + relative);
        if (url == null) {
            throw new IllegalStateException("test resource " + set + "/" + relative + " is missing: copy it from ../shared/fixtures/" + set);
        }
        try {
            return Paths.get(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The sd-tiny model folder, loaded with its own tokenizer; the caller closes it. */
    public static StableDiffusion tinyModel() {
        return StableDiffusion.load(sdTiny("model"), Optional.empty(), Optional.empty(), TokenizerLocator.fromEnvironment());
    }

    /**
     * A file under the shared folder beside the repository (set by the build as {@code diffarm.shared.dir}),
     * for material that must not be committed, such as the full CLIP vocabulary. Empty if it is absent.
     */
    public static Optional<Path> shared(String relative) {
        String dir = System.getProperty("diffarm.shared.dir", "../../shared");
        Path p = Paths.get(dir).resolve(relative).normalize();
        return Files.exists(p) ? Optional.of(p) : Optional.empty();
    }
}
