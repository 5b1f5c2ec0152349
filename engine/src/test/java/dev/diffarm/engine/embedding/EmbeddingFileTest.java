package dev.diffarm.engine.embedding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.engine.image.ModelHash;
import dev.diffarm.engine.safetensors.SafetensorsWriter;
import dev.diffarm.engine.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three embedding forms, and files that are not embeddings. */
class EmbeddingFileTest {
    @TempDir
    Path dir;

    @Test
    void allThreeFormsHoldTheSameTwoVectors() throws IOException {
        EmbeddingFile a1111 = EmbeddingFile.read(Fixtures.sdTiny("zwx-style.safetensors"));
        EmbeddingFile pickle = EmbeddingFile.read(Fixtures.sdTiny("zwx-style.pt"));
        EmbeddingFile diffusers = EmbeddingFile.read(Fixtures.sdTiny("learned_embeds.safetensors"));
        for (EmbeddingFile file : List.of(a1111, pickle, diffusers)) {
            assertEquals(2, file.count(), file.path().toString());
            assertEquals(32, file.width(), file.path().toString());
            assertArrayEquals(a1111.values(), file.values(), file.path().toString());
        }
        assertEquals(List.of("zwx-style"), a1111.triggers());
        assertEquals(List.of("zwx-style"), pickle.triggers());
        assertEquals(Optional.of("<zwx>"), diffusers.token());
        assertEquals(List.of("learned_embeds", "<zwx>"), diffusers.triggers());
        assertEquals(ModelHash.sha256(Fixtures.sdTiny("zwx-style.pt")).substring(0, 12), pickle.shortHash());
    }

    @Test
    void singleVectorOfTheDiffusersFormIsOneRow() throws IOException {
        Path file = dir.resolve("one.safetensors");
        new SafetensorsWriter().add("<one>", new float[] {1, 2, 3}, 3).write(file);
        EmbeddingFile read = EmbeddingFile.read(file);
        assertEquals(1, read.count());
        assertEquals(3, read.width());
    }

    private String problem(Path file) {
        return assertThrows(EmbeddingException.class, () -> EmbeddingFile.read(file)).getMessage();
    }

    @Test
    void sdxlEmbeddingIsNamedAsSuch() throws IOException {
        Path file = dir.resolve("xl.safetensors");
        new SafetensorsWriter().add("clip_l", new float[8], 1, 8).add("clip_g", new float[12], 1, 12).write(file);
        assertTrue(problem(file).contains("SDXL embedding"), problem(file));
    }

    @Test
    void otherTensorFilesAreNotEmbeddings() throws IOException {
        Path file = dir.resolve("model.safetensors");
        new SafetensorsWriter().add("a.weight", new float[4], 2, 2).add("b.weight", new float[4], 4).write(file);
        assertTrue(problem(file).contains("not an embedding") && problem(file).contains("a.weight"), problem(file));
        Path cube = dir.resolve("cube.safetensors");
        new SafetensorsWriter().add("emb_params", new float[8], 2, 2, 2).write(cube);
        assertTrue(problem(cube).contains("[2, 2, 2]"), problem(cube));
    }
}
