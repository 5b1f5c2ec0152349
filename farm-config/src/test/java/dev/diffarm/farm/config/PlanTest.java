package dev.diffarm.farm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class PlanTest {
    private final JobParser parser = new JobParser();

    @Test
    void aRenderJobIsPromptMajor() {
        Plan plan = plan("""
                {"apiVersion": "diffarm/v1", "kind": "render", "id": "cats-1", "model": "sd15",
                 "prompts": ["cat", "dog"], "seeds": [1, 2]}
                """);

        assertEquals(List.of("t0000", "t0001", "t0002", "t0003"), plan.tasks().stream().map(TaskSpec::id).toList());
        assertEquals(List.of("cat/1", "cat/2", "dog/1", "dog/2"), plan.tasks().stream()
                .map(task -> task.parameters().prompt() + "/" + task.parameters().seed()).toList());
        assertEquals(List.of("jobs/cats-1/t0000.png", "jobs/cats-1/t0001.png", "jobs/cats-1/t0002.png",
                "jobs/cats-1/t0003.png"), plan.keys());
        assertEquals("jobs/cats-1/t0002.json", plan.tasks().get(2).sidecarKey());
        assertEquals("jobs/cats-1/", plan.prefix());
        assertEquals(Optional.empty(), plan.tasks().get(0).style());
    }

    @Test
    void aCampaignIsStyleThenPromptThenSizeThenSeedWithTheStyleApplied() {
        Campaign campaign = (Campaign) parser.parse("""
                {"apiVersion": "diffarm/v1", "kind": "campaign", "id": "spring", "model": "sd15",
                 "prompts": ["shoe", "bag"], "negativePrompt": "blurry", "loras": [{"name": "grain", "weight": 0.5}],
                 "styles": [{"name": "studio", "template": "photo of {prompt}"},
                            {"name": "oil", "template": "oil painting of {prompt}, {prompt} again",
                             "negativePrompt": "photo", "loras": [{"name": "brush"}, {"name": "grain", "weight": 0.2}]},
                            {"name": "ink", "template": "ink {prompt}", "negativePrompt": "color, {prompt}"}],
                 "sizes": [{"width": 512, "height": 512}, {"width": 768, "height": 512}],
                 "seeds": [5, 6]}
                """).orElseThrow();

        List<TaskSpec> tasks = campaign.plan().tasks();

        assertEquals(3 * 2 * 2 * 2, tasks.size());
        assertEquals("t0023", tasks.get(23).id());
        assertEquals(List.of("studio|photo of shoe|512x512|5", "studio|photo of shoe|512x512|6",
                "studio|photo of shoe|768x512|5", "studio|photo of shoe|768x512|6",
                "studio|photo of bag|512x512|5"), tasks.subList(0, 5).stream().map(PlanTest::describe).toList());
        assertEquals("oil|oil painting of shoe, shoe again|512x512|5", describe(tasks.get(8)));
        assertEquals("ink|ink bag|768x512|6", describe(tasks.get(23)));

        assertEquals("blurry", tasks.get(0).parameters().settings().negativePrompt());
        assertEquals("blurry, photo", tasks.get(8).parameters().settings().negativePrompt());
        assertEquals("color, blurry", tasks.get(16).parameters().settings().negativePrompt());
        assertEquals(List.of(new Lora("grain", 0.5)), tasks.get(0).parameters().settings().loras());
        assertEquals(List.of(new Lora("grain", 0.2), new Lora("brush", 1.0)), tasks.get(8).parameters().settings().loras());
    }

    @Test
    void theParameterHashIsSha256OfTheCanonicalJsonAndStableAcrossRuns() {
        // Expected values computed outside Java: Python's json.dumps(sort_keys=True, separators=(',', ':')) and hashlib.
        TaskParameters parameters = new TaskParameters("a cat in a hat", 42, new Size(512, 768),
                RenderSettings.defaults("sd15").withNegativePrompt("blurry").withLoras(List.of(new Lora("grain", 0.5))));

        assertEquals("{\"cfg\":7.0,\"clipSkip\":1,\"height\":768,\"loras\":[{\"name\":\"grain\",\"weight\":0.5}],"
                + "\"model\":\"sd15\",\"negativePrompt\":\"blurry\",\"prompt\":\"a cat in a hat\",\"sampler\":\"Euler a\","
                + "\"seed\":42,\"steps\":20,\"width\":512}", parameters.toJson());
        assertEquals("b6d880e063ac77c2b3dedc459c2babee72d4db8a25081e355c8606d397146673", parameters.hash());
    }

    /** A set eta is part of the hash; an unset one leaves the JSON (and so the hash) as it was before eta existed. */
    @Test
    void etaEntersTheCanonicalJsonOnlyWhenSet() {
        RenderSettings settings = RenderSettings.defaults("sd15").withNegativePrompt("blurry")
                .withLoras(List.of(new Lora("grain", 0.5)));
        TaskParameters withEta = new TaskParameters("a cat in a hat", 42, new Size(512, 768),
                settings.withEta(OptionalDouble.of(0.5)));

        assertEquals("{\"cfg\":7.0,\"clipSkip\":1,\"eta\":0.5,\"height\":768,\"loras\":[{\"name\":\"grain\","
                + "\"weight\":0.5}],\"model\":\"sd15\",\"negativePrompt\":\"blurry\",\"prompt\":\"a cat in a hat\","
                + "\"sampler\":\"Euler a\",\"seed\":42,\"steps\":20,\"width\":512}", withEta.toJson());
        assertEquals("b6d880e063ac77c2b3dedc459c2babee72d4db8a25081e355c8606d397146673",
                new TaskParameters("a cat in a hat", 42, new Size(512, 768), settings.withEta(OptionalDouble.empty())).hash());
    }

    @Test
    void thePlanDoesNotDependOnFieldOrderOrNumberSpelling() {
        Plan written = plan("""
                {"apiVersion": "diffarm/v1", "kind": "render", "id": "j", "model": "sd15", "prompts": ["a", "b"],
                 "seeds": [1, 2], "cfg": 7.5, "steps": 20, "width": 640}
                """);
        Plan shuffled = plan("""
                {"width": 640.0, "steps": 2e1, "cfg": 7.50, "seeds": [1, 2], "prompts": ["a", "b"], "model": "sd15",
                 "id": "j", "kind": "render", "apiVersion": "diffarm/v1", "sampler": "Euler a", "negativePrompt": ""}
                """);

        assertEquals(written, shuffled);
        assertEquals(written.tasks().stream().map(TaskSpec::parameterHash).toList(),
                shuffled.tasks().stream().map(TaskSpec::parameterHash).toList());
    }

    @Test
    void everyParameterChangesTheHash() {
        RenderSettings settings = RenderSettings.defaults("sd15");
        TaskParameters base = new TaskParameters("a cat", 1, Defaults.SIZE, settings);
        List<TaskParameters> variants = List.of(base,
                new TaskParameters("a cat ", 1, Defaults.SIZE, settings),
                new TaskParameters("a cat", 2, Defaults.SIZE, settings),
                new TaskParameters("a cat", 1, new Size(512, 520), settings),
                new TaskParameters("a cat", 1, new Size(520, 512), settings),
                new TaskParameters("a cat", 1, Defaults.SIZE, settings.withSteps(21)),
                new TaskParameters("a cat", 1, Defaults.SIZE, settings.withCfg(7.01)),
                new TaskParameters("a cat", 1, Defaults.SIZE, settings.withSampler("DDIM")),
                new TaskParameters("a cat", 1, Defaults.SIZE, settings.withSchedule(Optional.of("karras"))),
                new TaskParameters("a cat", 1, Defaults.SIZE, settings.withClipSkip(2)),
                new TaskParameters("a cat", 1, Defaults.SIZE, settings.withNegativePrompt("x")),
                new TaskParameters("a cat", 1, Defaults.SIZE, settings.withLoras(List.of(new Lora("l")))),
                new TaskParameters("a cat", 1, Defaults.SIZE, settings.withEta(OptionalDouble.of(0.0))),
                new TaskParameters("a cat", 1, Defaults.SIZE, settings.withEta(OptionalDouble.of(0.5))),
                new TaskParameters("a cat", 1, Defaults.SIZE, new RenderSettings("sd21", "", "Euler a", Optional.empty(),
                        OptionalDouble.empty(), 20, 7.0, 1, List.of())));

        assertEquals(variants.size(), new HashSet<>(variants.stream().map(TaskParameters::hash).toList()).size());
    }

    @Test
    void theSeedOfAJobWithoutSeedsComesFromItsId() {
        // First four bytes of SHA-256("cats-1"), computed with Python's hashlib.
        assertEquals(3391367031L, Defaults.seedFor("cats-1"));
        ImageJob again = (ImageJob) parser.parse("{\"apiVersion\": \"diffarm/v1\", \"kind\": \"render\", \"id\": \"cats-1\", "
                + "\"model\": \"m\", \"prompts\": [\"p\"]}").orElseThrow();
        assertEquals(List.of(3391367031L), again.seeds());
        assertNotEquals(Defaults.seedFor("cats-1"), Defaults.seedFor("cats-2"));
    }

    @Test
    void theSidecarRecordsTheParametersAndTheirHash() {
        TaskSpec task = new Campaign("spring", List.of("shoe"), List.of(3L), List.of(Defaults.SIZE),
                List.of(new Style("oil", "oil {prompt}")), RenderSettings.defaults("sd15")).plan().tasks().get(0);

        String sidecar = task.sidecarJson();

        assertEquals("{\"apiVersion\":\"diffarm/v1\",\"jobId\":\"spring\",\"key\":\"jobs/spring/t0000.png\","
                + "\"parameterHash\":\"" + task.parameterHash() + "\",\"parameters\":" + task.parameters().toJson()
                + ",\"style\":\"oil\",\"taskId\":\"t0000\"}", sidecar);
        assertEquals(Optional.of(task.parameterHash()),
                TaskSpec.storedParameterHash(sidecar.getBytes(StandardCharsets.UTF_8)));
        assertEquals(Optional.empty(), TaskSpec.storedParameterHash("{\"parameterHash\": 5}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Optional.empty(), TaskSpec.storedParameterHash("half a sidecar {".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aPlanRefusesTasksOutOfOrder() {
        TaskParameters parameters = new TaskParameters("p", 1, Defaults.SIZE, RenderSettings.defaults("m"));

        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> new Plan("j",
                List.of(new TaskSpec("j", 1, parameters, Optional.empty()))));
        assertEquals("tasks[0] is task 1 of job j: expected task 0 of job j", thrown.getMessage());
    }

    private static String describe(TaskSpec task) {
        TaskParameters parameters = task.parameters();
        return task.style().orElse("-") + "|" + parameters.prompt() + "|" + parameters.size() + "|" + parameters.seed();
    }

    private Plan plan(String json) {
        return ((ImageJob) parser.parse(json).orElseThrow()).plan();
    }
}
