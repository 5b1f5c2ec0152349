package dev.diffarm.daemon.rest;

import dev.diffarm.daemon.TinyModel;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs the daemon under test on its embedded defaults in a fresh folder, with the tiny model as "tiny" and the tiny
 * ControlNet as {@value #CONTROLNET}.
 */
public class LocalDaemonResource implements QuarkusTestResourceLifecycleManager {
    /** The name of the tiny ControlNet in the daemon's ControlNet folder. */
    public static final String CONTROLNET = "tiny-control";
    /** The reference fixture's tiny x4 RRDBNet (the engine's test copy), in the daemon's upscalers folder. */
    static final Path ESRGAN_X4 = Path.of("../engine/src/test/resources/sd-tiny/esrgan-x4-basicsr.pth");
    /** The name of the reference fixture's tiny SD x4 upscaler (the engine's test copy) in the upscalers folder. */
    public static final String SD_X4 = "x4-upscaler";
    private static final Path SD_X4_FOLDER = Path.of("../engine/src/test/resources/sd-tiny/upscaler");

    private Path dir;

    @Override
    public Map<String, String> start() {
        Path upscalers;
        try {
            dir = Files.createTempDirectory("diffarm-daemon-test");
            // Not <home>/upscalers, so that a test can tell the setting was read.
            upscalers = Files.createDirectories(dir.resolve("upscaler-models"));
            Files.copy(ESRGAN_X4, upscalers.resolve("esrgan-x4.pth"));
            Files.createSymbolicLink(upscalers.resolve(SD_X4), SD_X4_FOLDER.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("diffarm.home", dir.toString(),
                "diffarm.local-dir", dir.resolve("local").toString(),
                "diffarm.models-dir", TinyModel.modelsDir(dir.resolve("models")).toString(),
                "diffarm.controlnets-dir", TinyModel.controlNetsDir(dir.resolve("controlnet"), CONTROLNET).toString(),
                "diffarm.upscalers-dir", upscalers.toString());
    }

    @Override
    public void stop() {
        try (Stream<Path> paths = Files.walk(dir)) {
            // Deepest first; links are deleted, not followed.
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
