package dev.diffarm.daemon.render;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/** The names of what a node's folder holds, read on each call: a folder that does not exist holds nothing. */
final class FolderEntries {
    private FolderEntries() {
    }

    /**
     * The names {@code name} gives the visible entries of {@code dir} (hidden ones, starting with '.', skipped), sorted,
     * each once.
     *
     * @param what what the folder holds, for the message when it cannot be listed ({@code LoRAs})
     */
    static List<String> names(Path dir, String what, Function<Path, Optional<String>> name) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(entry -> !entry.getFileName().toString().startsWith(".")).map(name)
                    .flatMap(Optional::stream).distinct().sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the " + what + " in " + dir + ": " + e, e);
        }
    }
}
