package dev.diffarm.engine.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.engine.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An embeddings folder: what it offers by name, and what it refuses to read. */
class EmbeddingLibraryTest {
    @TempDir
    Path dir;

    @TempDir
    Path elsewhere;

    private void copy(String fixture, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(Fixtures.sdTiny(fixture), to);
    }

    @Test
    void namesAreFileNamesAndTokensInSubfolders() throws IOException {
        copy("zwx-style.pt", dir.resolve("styles/zwx-style.pt"));
        copy("learned_embeds.safetensors", dir.resolve("learned_embeds.safetensors"));
        EmbeddingLibrary library = EmbeddingLibrary.scan(dir);
        assertEquals(Set.of("zwx-style", "learned_embeds", "<zwx>"), library.names());
        assertEquals(2, library.get("zwx-style").count());
        assertEquals("<zwx>", library.get("<zwx>").name());
    }

    @Test
    void hiddenFilesAndLinksOutOfTheFolderAreIgnored() throws IOException {
        copy("zwx-style.pt", dir.resolve(".cache/hidden.pt"));
        copy("zwx-style.pt", dir.resolve(".dotted.pt"));
        copy("zwx-style.safetensors", elsewhere.resolve("outside.safetensors"));
        Files.createSymbolicLink(dir.resolve("outside.safetensors"), elsewhere.resolve("outside.safetensors"));
        Files.createSymbolicLink(dir.resolve("linked-folder"), elsewhere);
        copy("zwx-style.safetensors", dir.resolve("real.safetensors"));
        Files.createSymbolicLink(dir.resolve("inside.safetensors"), dir.resolve("real.safetensors"));
        assertEquals(Set.of("real", "inside"), EmbeddingLibrary.scan(dir).names());
    }

    @Test
    void unreadableFileFailsOnlyWhenUsed() throws IOException {
        Files.writeString(dir.resolve("broken.pt"), "not a zip");
        copy("zwx-style.safetensors", dir.resolve("fine.safetensors"));
        EmbeddingLibrary library = EmbeddingLibrary.scan(dir);
        assertEquals(2, library.get("fine").count());
        String message = assertThrows(EmbeddingException.class, () -> library.get("broken")).getMessage();
        assertTrue(message.contains("embedding 'broken' cannot be used") && message.contains("not a torch zip file"),
                message);
    }

    @Test
    void nameGivenByTwoFilesIsAmbiguous() throws IOException {
        copy("zwx-style.pt", dir.resolve("a/zwx-style.pt"));
        copy("zwx-style.safetensors", dir.resolve("b/zwx-style.safetensors"));
        String message = assertThrows(EmbeddingException.class, () -> EmbeddingLibrary.scan(dir).get("zwx-style"))
                .getMessage();
        assertTrue(message.contains("ambiguous") && message.contains("zwx-style.pt")
                && message.contains("zwx-style.safetensors"), message);
    }

    @Test
    void missingFolderIsAnError() {
        String message = assertThrows(IllegalArgumentException.class,
                () -> EmbeddingLibrary.scan(dir.resolve("nope"))).getMessage();
        assertTrue(message.contains("nope does not exist"), message);
    }
}
