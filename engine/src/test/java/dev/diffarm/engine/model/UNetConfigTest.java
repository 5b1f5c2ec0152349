package dev.diffarm.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link UNetConfig#fromJson} reads of the SD x4 upscaler's UNet fields, and what it refuses, naming the field. */
class UNetConfigTest {
    @TempDir
    Path dir;

    @Test
    void onlyCrossAttentionIsABooleanOrOneEntryPerLevel() throws IOException {
        assertEquals(List.of(true, true, true, false), read("[true, true, true, false]", 4).onlyCrossAttention());
        assertEquals(List.of(true, true), read("true", 2).onlyCrossAttention());
        assertEquals(List.of(false, false), read("null", 2).onlyCrossAttention());
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> read("[true]", 2));
        assertTrue(e.getMessage().endsWith("field only_cross_attention = [true]: expected true, false or a list of 2 "
                + "booleans (one per level)"), e.getMessage());
        assertThrows(ModelLoadException.class, () -> read("[\"yes\", false]", 2));
    }

    @Test
    void onlyAClassEmbeddingTableIsTaken() throws IOException {
        assertEquals(1000, config(2, "\"num_class_embeds\": 1000, \"class_embed_type\": null").numClassEmbeds());
        ModelLoadException type = assertThrows(ModelLoadException.class,
                () -> config(2, "\"class_embed_type\": \"timestep\""));
        assertTrue(type.getMessage().endsWith("field class_embed_type = \"timestep\": expected null (a table of "
                + "num_class_embeds embeddings, as the SD x4 upscaler has); other class embeddings are not supported"),
                type.getMessage());
        assertThrows(ModelLoadException.class, () -> config(2, "\"num_class_embeds\": 10, \"class_embeddings_concat\": true"));
    }

    private UNetConfig read(String onlyCross, int levels) throws IOException {
        return config(levels, "\"only_cross_attention\": " + onlyCross);
    }

    /** A config of {@code levels} levels without attention, with {@code fields} added. */
    private UNetConfig config(int levels, String fields) throws IOException {
        String channels = String.join(", ", Collections.nCopies(levels, "32"));
        String down = String.join(", ", Collections.nCopies(levels, "\"DownBlock2D\""));
        String up = String.join(", ", Collections.nCopies(levels, "\"UpBlock2D\""));
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"block_out_channels\": [" + channels + "], \"down_block_types\": [" + down
                + "], \"up_block_types\": [" + up + "], " + fields + "}");
        return UNetConfig.fromJson(file);
    }
}
