package dev.diffarm.engine.cli;

import java.nio.file.Path;

/** File names for several outputs of one command: {@code out.png} becomes {@code out-0.png}, {@code out-1.png}. */
final class OutputNames {
    private OutputNames() {
    }

    static Path indexed(Path file, int index) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String indexed = dot < 0 ? name + "-" + index : name.substring(0, dot) + "-" + index + name.substring(dot);
        return file.resolveSibling(indexed);
    }
}
