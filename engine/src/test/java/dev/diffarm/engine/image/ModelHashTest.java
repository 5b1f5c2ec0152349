package dev.diffarm.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.diffarm.engine.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Expected hashes come from coreutils' sha256sum on the same bytes. */
class ModelHashTest {
    @TempDir
    Path dir;

    @Test
    void hashesAFile() throws IOException {
        Path abc = Files.writeString(dir.resolve("abc.safetensors"), "abc");
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ModelHash.sha256(abc));
        assertEquals("ba7816bf8f", ModelHash.shortHash(abc));
    }

    @Test
    void hashesTheFixtureCheckpointAsA1111Would() throws IOException {
        Path model = Fixtures.sdTiny("model.safetensors");
        assertEquals("81508fa2d415048c8d8551577397a645117e1653b5dc326b0e92c9ce254851f4", ModelHash.sha256(model));
        assertEquals("81508fa2d4", ModelHash.shortHash(model));
    }

    /**
     * {@code find -L . -type f -not -path '*}{@code /.*' -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' sha256sum
     * | sha256sum} in the same folder: hidden files are skipped and paths sort by bytes (Z before a).
     */
    @Test
    void hashesADiffusersFolderAsTheSha256sumListingOfItsFiles() throws IOException {
        Files.createDirectories(dir.resolve("unet"));
        Files.createDirectories(dir.resolve("text_encoder"));
        Files.createDirectories(dir.resolve(".cache"));
        Files.writeString(dir.resolve("model_index.json"), "{}\n");
        Files.writeString(dir.resolve("unet/config.json"), "{\"a\":1}\n");
        Files.writeString(dir.resolve("unet/w.safetensors"), "abc");
        Files.writeString(dir.resolve("text_encoder/Z.txt"), "B");
        Files.writeString(dir.resolve("text_encoder/a.txt"), "a");
        Files.writeString(dir.resolve(".cache/x"), "ignored");
        Files.writeString(dir.resolve("unet/.hidden"), "ignored");
        assertEquals("ebd33d91f8987325f23d9f9c4ea42a93396f92b418af8ec3222f13b55100840f", ModelHash.sha256(dir));
        assertEquals("ebd33d91f8", ModelHash.shortHash(dir));

        Files.writeString(dir.resolve("unet/w.safetensors"), "abd");
        assertEquals(false, ModelHash.shortHash(dir).equals("ebd33d91f8"), "a changed weight changes the hash");
    }
}
