package dev.diffarm.engine.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The tokenizer fixtures: the prompts of the manifest and the id tensors of the reference. */
public final class ClipFixtures {
    private ClipFixtures() {
    }

    static Path tinyTokenizerDir() {
        return Fixtures.sdTiny("model/tokenizer");
    }

    /** The prompts listed under {@code section.prompts} in the manifest. */
    public static List<String> prompts(String section) {
        try {
            JsonNode node = new ObjectMapper().readTree(Fixtures.sdTiny("manifest.json").toFile()).path(section).path("prompts");
            List<String> prompts = new ArrayList<>();
            node.forEach(p -> prompts.add(p.asText()));
            if (prompts.isEmpty()) {
                throw new IllegalStateException("manifest.json has no " + section + ".prompts");
            }
            return prompts;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] ids(SafetensorsFile file, String name) {
        return Arrays.stream(file.longs(name)).mapToInt(Math::toIntExact).toArray();
    }

    /** A {@code raw_ids} tensor: the reference writes {@code [-1]} for a prompt without tokens. */
    static int[] rawIds(SafetensorsFile file, String name) {
        int[] ids = ids(file, name);
        return ids.length == 1 && ids[0] == -1 ? new int[0] : ids;
    }
}
