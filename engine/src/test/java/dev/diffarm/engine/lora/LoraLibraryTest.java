package dev.diffarm.engine.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Names resolve to files directly inside the LoRA folder, and nowhere else. */
class LoraLibraryTest {
    @TempDir
    Path dir;

    @Test
    void aNameIsItsSafetensorsFileInTheFolder() throws IOException {
        Path file = Files.createFile(dir.resolve("detail-tweaker v1.2.safetensors"));
        assertEquals(file.toAbsolutePath(), new LoraLibrary(dir).resolve("detail-tweaker v1.2"));
    }

    @Test
    void namesThatCouldLeaveTheFolderAreRefused() throws IOException {
        Path loras = Files.createDirectory(dir.resolve("loras"));
        Files.createFile(dir.resolve("secret.safetensors"));
        Files.createDirectory(loras.resolve("sub"));
        Files.createFile(loras.resolve("sub").resolve("x.safetensors"));
        LoraLibrary library = new LoraLibrary(loras);
        assertRefused(library, "../secret", "LoRA name '../secret' contains a path separator");
        assertRefused(library, "sub/x", "LoRA name 'sub/x' contains a path separator");
        assertRefused(library, "sub\\x", "LoRA name 'sub\\x' contains a path separator");
        assertRefused(library, "..", "LoRA name '..' contains '..'");
        assertRefused(library, dir.resolve("secret").toString(), "contains a path separator");
        assertRefused(library, "", "LoRA name is empty");
        assertRefused(library, "c:secret", "LoRA name 'c:secret' is not a plain file name");
        assertRefused(library, "missing", "LoRA 'missing' not found: no file " + loras.toAbsolutePath().resolve("missing.safetensors"));
    }

    @Test
    void theFolderMustExist() {
        LoraException e = assertThrows(LoraException.class, () -> new LoraLibrary(dir.resolve("none")));
        assertEquals("LoRA folder " + dir.resolve("none") + " is not a folder", e.getMessage());
    }

    private static void assertRefused(LoraLibrary library, String name, String message) {
        LoraException e = assertThrows(LoraException.class, () -> library.resolve(name), name);
        assertEquals(true, e.getMessage().startsWith(message) || e.getMessage().contains(message), e.getMessage());
    }
}
