package dev.diffarm.engine.train.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Keeps dataset reads inside the allowed root folders, comparing real paths so that links cannot lead out. */
final class PathGuard {
    private final List<Path> roots;

    PathGuard(List<Path> allowedRoots) throws IOException {
        roots = new ArrayList<>();
        for (Path root : allowedRoots) {
            if (!Files.isDirectory(root)) {
                throw new InvalidDatasetException("allowedRoots", "allowedRoots: " + root + " is not a folder");
            }
            roots.add(root.toRealPath());
        }
    }

    /**
     * The real path of {@code path}, which {@code field} names.
     *
     * @throws IOException if it does not exist or lies outside every allowed root
     */
    Path check(String field, Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new InvalidDatasetException(field, field + ": " + path + " does not exist");
        }
        Path real = path.toRealPath();
        for (Path root : roots) {
            if (real.startsWith(root)) {
                return real;
            }
        }
        throw new InvalidDatasetException(field, field + ": " + path + " lies outside the allowed roots " + roots);
    }
}
