package dev.diffarm.daemon.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The records of the chunks topic: written and read back, and a record that is no part refused naming its fault. */
class JobPartTest {

    @Test
    void aChunkAndAFinalizeRecordReadBackAsWritten() {
        JobPart chunk = JobPart.chunk("cats", "acme", "r1", 3, 12, 16);
        assertEquals(chunk, JobPart.parse(chunk.toJson()));
        assertEquals("cats/3", chunk.key());
        JobPart finalizing = JobPart.finalizing("cats", "acme", "r1");
        assertEquals(finalizing, JobPart.parse(finalizing.toJson()));
        assertEquals("cats", finalizing.key(), "every finalize record of a job on one partition");
    }

    @Test
    void aRecordThatIsNoPartIsRefusedNamingWhatIsWrong() {
        assertTrue(refusal("not json {").startsWith("not JSON"), refusal("not json {"));
        assertEquals("expected a JSON object, got [1]", refusal("[1]"));
        assertEquals("type \"merge\": expected \"chunk\" or \"finalize\"",
                refusal("{\"type\":\"merge\",\"job\":\"a\",\"tenant\":\"t\",\"round\":\"r\"}"));
        assertEquals("tenant: expected a non-empty string, got null", refusal("{\"type\":\"finalize\",\"job\":\"a\",\"round\":\"r\"}"));
        assertEquals("from: expected an integer, got \"0\"",
                refusal("{\"type\":\"chunk\",\"job\":\"a\",\"tenant\":\"t\",\"round\":\"r\",\"chunk\":0,\"from\":\"0\",\"to\":4}"));
        assertTrue(refusal("{\"type\":\"chunk\",\"job\":\"a\",\"tenant\":\"t\",\"round\":\"r\",\"chunk\":0,\"from\":4,\"to\":4}")
                .startsWith("chunk 0 of job a has tasks 4..4"));
    }

    @Test
    void aNegativeChunkSizeIsRefusedNamingTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FanOut.checkedChunkTasks(-1));
        assertEquals("DIFFARM_CHUNK_TASKS = -1: expected 0 (never split a job) or the most tasks of one chunk, 1 or more",
                e.getMessage());
        assertEquals(0, FanOut.checkedChunkTasks(0));
    }

    private static String refusal(String value) {
        return assertThrows(IllegalArgumentException.class,
                () -> JobPart.parse(value.getBytes(StandardCharsets.UTF_8))).getMessage();
    }
}
