package dev.diffarm.engine.clip;

import java.io.IOException;
import java.nio.file.Path;

/** Fetches one file of CLIP's tokenizer ({@code vocab.json} or {@code merges.txt}) from somewhere remote. */
@FunctionalInterface
public interface VocabularyDownloader {
    /**
     * Writes the file called {@code fileName} to {@code target}, replacing it.
     *
     * @throws IOException saying what failed and where it was fetched from
     */
    void fetch(String fileName, Path target) throws IOException;

    /** A downloader that always fails with {@code reason}, for when downloads are switched off. */
    static VocabularyDownloader disabled(String reason) {
        return (fileName, target) -> {
            throw new IOException(reason);
        };
    }
}
