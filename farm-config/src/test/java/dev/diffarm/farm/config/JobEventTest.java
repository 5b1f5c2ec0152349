package dev.diffarm.farm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JobEventTest {
    private static final String HASH = "b6d880e063ac77c2b3dedc459c2babee72d4db8a25081e355c8606d397146673";

    @Test
    void everyEventSurvivesARoundTripThroughJson() {
        List<JobEvent> events = List.of(
                new JobEvent.Accepted("cats-1", "render", 4),
                new JobEvent.Accepted("cats-1", "render", 4, Optional.of("acme")),
                new JobEvent.Progress("cats-1", "t0002", 7, 20, 2, 4),
                new JobEvent.TaskCompleted("cats-1", "t0002", "jobs/cats-1/t0002.png", HASH, true),
                new JobEvent.Completed("cats-1", List.of("jobs/cats-1/t0000.png", "jobs/cats-1/t0001.png")),
                new JobEvent.Failed("cats-1", Optional.of("t0003"), new EventError("render-failed", "out of memory")),
                new JobEvent.Failed("cats-1", Optional.empty(), new EventError("storage-failed", "bucket gone")),
                new JobEvent.Rejected(Optional.of("cats-1"), List.of(
                        new EventError("invalid-value", "steps = -1: expected an integer in 1..1000", Optional.of("steps")))),
                new JobEvent.Rejected(Optional.empty(), List.of(new EventError("missing-field", "id is missing",
                        Optional.of("id")))),
                new JobEvent.Rejected(Optional.of("cats-1"), List.of(new EventError("unknown-model", "no model m")))
                        .withTenant("acme"));

        for (JobEvent event : events) {
            assertEquals(event, JobEvent.parse(event.toJson()), event.toJson());
        }
    }

    @Test
    void theWireFormatIsTheDocumentedOne() {
        assertEquals("{\"apiVersion\":\"diffarm/v1\",\"type\":\"task-completed\",\"jobId\":\"cats-1\",\"taskId\":\"t0002\","
                        + "\"key\":\"jobs/cats-1/t0002.png\",\"parameterHash\":\"" + HASH + "\",\"skipped\":false}",
                new JobEvent.TaskCompleted("cats-1", "t0002", "jobs/cats-1/t0002.png", HASH, false).toJson());
        assertEquals("{\"apiVersion\":\"diffarm/v1\",\"type\":\"completed\",\"jobId\":\"j\",\"keys\":[\"a\",\"b\"]}",
                new JobEvent.Completed("j", List.of("a", "b")).toJson());
        assertEquals("{\"apiVersion\":\"diffarm/v1\",\"type\":\"failed\",\"jobId\":\"j\",\"taskId\":\"t0001\","
                        + "\"error\":{\"code\":\"render-failed\",\"message\":\"boom\"}}",
                new JobEvent.Failed("j", Optional.of("t0001"), new EventError("render-failed", "boom")).toJson());
    }

    @Test
    void theTenantIsAFieldAddedToAcceptedAndRejectedAndLeftOutWhenNotTold() {
        assertEquals("{\"apiVersion\":\"diffarm/v1\",\"type\":\"accepted\",\"jobId\":\"j\",\"kind\":\"render\","
                + "\"tasks\":2,\"tenant\":\"acme\"}", new JobEvent.Accepted("j", "render", 2, Optional.of("acme")).toJson());
        assertEquals("{\"apiVersion\":\"diffarm/v1\",\"type\":\"accepted\",\"jobId\":\"j\",\"kind\":\"render\","
                + "\"tasks\":2}", new JobEvent.Accepted("j", "render", 2).toJson());
        assertEquals("{\"apiVersion\":\"diffarm/v1\",\"type\":\"rejected\",\"jobId\":\"j\","
                        + "\"error\":{\"code\":\"c\",\"message\":\"m\"},\"errors\":[{\"code\":\"c\",\"message\":\"m\"}],"
                        + "\"tenant\":\"acme\"}",
                new JobEvent.Rejected(Optional.of("j"), List.of(new EventError("c", "m"))).withTenant("acme").toJson());
        assertEquals("event.tenant = \"a/b\": expected a tenant name of 1 to 64 letters, digits, '.', '_' or '-', "
                + "starting with a letter or digit", assertThrows(IllegalArgumentException.class, () -> JobEvent.parse(
                "{\"apiVersion\": \"diffarm/v1\", \"type\": \"accepted\", \"jobId\": \"j\", \"kind\": \"render\", "
                        + "\"tasks\": 1, \"tenant\": \"a/b\"}")).getMessage());
    }

    @Test
    void aRejectionCarriesTheFirstErrorAndAllErrorsWithTheirFields() {
        ParseResult.Invalid invalid = (ParseResult.Invalid) new JobParser().parse("""
                {"apiVersion": "diffarm/v1", "kind": "render", "id": "j-9", "model": "m", "prompts": ["p"],
                 "steps": -1, "width": 100000}
                """);

        JobEvent.Rejected rejected = JobEvent.Rejected.of(invalid);

        assertEquals(Optional.of("j-9"), rejected.recordKey());
        assertEquals("{\"apiVersion\":\"diffarm/v1\",\"type\":\"rejected\",\"jobId\":\"j-9\","
                + "\"error\":{\"code\":\"invalid-value\",\"message\":\"steps = -1: expected an integer in 1..1000\",\"field\":\"steps\"},"
                + "\"errors\":[{\"code\":\"invalid-value\",\"message\":\"steps = -1: expected an integer in 1..1000\",\"field\":\"steps\"},"
                + "{\"code\":\"invalid-value\",\"message\":\"width = 100000: expected a multiple of 8 in 8..4096 pixels\","
                + "\"field\":\"width\"}]}", rejected.toJson());
    }

    @Test
    void aCompletedTaskEventNamesTheTasksKeyAndHash() {
        TaskSpec task = new RenderJob("cats-1", List.of("a cat"), RenderSettings.defaults("sd15")).plan().tasks().get(0);

        JobEvent.TaskCompleted event = JobEvent.TaskCompleted.of(task, false);

        assertEquals(new JobEvent.TaskCompleted("cats-1", "t0000", "jobs/cats-1/t0000.png", task.parameterHash(), false),
                event);
    }

    @Test
    void readersIgnoreFieldsTheyDoNotKnow() {
        JobEvent event = JobEvent.parse("{\"apiVersion\": \"diffarm/v1\", \"type\": \"accepted\", \"jobId\": \"j\", "
                + "\"kind\": \"campaign\", \"tasks\": 12, \"node\": \"gpu-3\", \"time\": \"2026-01-01T00:00:00Z\"}");

        assertEquals(new JobEvent.Accepted("j", "campaign", 12), event);
    }

    @Test
    void aBrokenEventIsRefusedNamingTheField() {
        assertEquals("event.type = \"done\": expected an event type: accepted, progress, task-completed, completed, "
                + "failed, rejected", assertThrows(IllegalArgumentException.class, () -> JobEvent.parse(
                "{\"apiVersion\": \"diffarm/v1\", \"type\": \"done\", \"jobId\": \"j\"}")).getMessage());
        assertEquals("event.tasks is missing: expected an integer of 0 or more", assertThrows(IllegalArgumentException.class,
                () -> JobEvent.parse("{\"apiVersion\": \"diffarm/v1\", \"type\": \"accepted\", \"jobId\": \"j\", "
                        + "\"kind\": \"render\"}")).getMessage());
        assertEquals("event.apiVersion = \"diffarm/v0\": expected \"diffarm/v1\"", assertThrows(IllegalArgumentException.class,
                () -> JobEvent.parse("{\"apiVersion\": \"diffarm/v0\", \"type\": \"accepted\"}")).getMessage());
        assertEquals("errors = []: expected at least one error", assertThrows(IllegalArgumentException.class,
                () -> new JobEvent.Rejected(Optional.empty(), List.of())).getMessage());
    }
}
