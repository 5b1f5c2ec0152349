package dev.diffarm.daemon.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The affinity hint: the top-level {@code model} of a job's JSON, and nothing for anything else. */
class JobModelTest {
    @Test
    void readsTheTopLevelModelOnly() {
        assertEquals(Optional.of("sd15"), model("{\"kind\": \"render\", \"styles\": [{\"model\": \"x\"}], \"model\": \"sd15\"}"));
        assertEquals(Optional.empty(), model("{\"kind\": \"merge\", \"inputs\": {\"model\": \"x\"}}"), "a nested one");
        assertEquals(Optional.empty(), model("{\"model\": 3}"), "not a string");
        assertEquals(Optional.empty(), model("[\"model\"]"), "not an object");
        assertEquals(Optional.empty(), model("{\"model\": "), "cut short");
        assertEquals(Optional.empty(), model(""), "empty");
    }

    private static Optional<String> model(String json) {
        return JobModel.of(json.getBytes(StandardCharsets.UTF_8));
    }
}
