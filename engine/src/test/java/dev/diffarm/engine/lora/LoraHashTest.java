package dev.diffarm.engine.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.safetensors.SafetensorsWriter;
import dev.diffarm.engine.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A1111's LoRA hash: the data section's SHA-256 (kohya's "addnet" hash), or the trainer's stored one. */
class LoraHashTest {
    @TempDir
    Path dir;

    @Test
    void hashesTheDataAfterTheHeader() throws IOException {
        // python: hashlib.sha256(data[8 + header_length:]).hexdigest()[:12]
        assertEquals("c620b50f7005", LoraHash.shortHash(Fixtures.sdTiny("lora-a.safetensors")));
        assertEquals("9492c9432493", LoraHash.shortHash(Fixtures.sdTiny("lora-b.safetensors")));
    }

    @Test
    void metadataDoesNotChangeTheHashButAStoredHashIsUsed() throws IOException {
        Path renamed = copyOfLoraA("renamed.safetensors", "ss_output_name", "my style");
        assertEquals("c620b50f7005", LoraHash.shortHash(renamed));
        Path stored = copyOfLoraA("stored.safetensors", "sshs_model_hash", "0123456789abcdef0123");
        assertEquals("0123456789ab", LoraHash.shortHash(stored));
    }

    /** lora-a's tensors in the same order and bytes, with one metadata entry. */
    private Path copyOfLoraA(String name, String key, String value) throws IOException {
        Path file = dir.resolve(name);
        try (SafetensorsFile a = SafetensorsFile.open(Fixtures.sdTiny("lora-a.safetensors"))) {
            SafetensorsWriter writer = new SafetensorsWriter().metadata(key, value);
            for (String tensor : a.names()) {
                writer.add(tensor, a.floats(tensor), a.info(tensor).shape());
            }
            writer.write(file);
        }
        return file;
    }
}
