package dev.diffarm.farm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class JobParserTest {
    private final JobParser parser = new JobParser();

    @Test
    void aMinimalRenderJobTakesTheDefaults() {
        RenderJob job = (RenderJob) parser.parse("""
                {"apiVersion": "diffarm/v1", "kind": "render", "id": "cats-1", "model": "sd15",
                 "prompts": ["a cat in a hat"]}
                """).orElseThrow();

        assertEquals("cats-1", job.id());
        assertEquals(List.of("a cat in a hat"), job.prompts());
        assertEquals(List.of(Defaults.seedFor("cats-1")), job.seeds());
        assertEquals(new Size(512, 512), job.size());
        RenderSettings settings = job.settings();
        assertEquals("sd15", settings.model());
        assertEquals("", settings.negativePrompt());
        assertEquals("Euler a", settings.sampler());
        assertEquals(Optional.empty(), settings.schedule());
        assertEquals(20, settings.steps());
        assertEquals(7.0, settings.cfg());
        assertEquals(1, settings.clipSkip());
        assertEquals(List.of(), settings.loras());
        assertEquals(RenderSettings.defaults("sd15"), settings);
    }

    @Test
    void theIssuesExampleJobParsesAsWritten() {
        RenderJob job = (RenderJob) parser.parse("""
                {"apiVersion":"diffarm/v1","kind":"render","id":"job-42","model":"tiny","prompts":["a","b"],
                 "negativePrompt":"blurry","sampler":"DDIM","steps":12,"cfg":6.5,"seeds":[1,2],"width":640,"height":384,
                 "schedule":"karras","eta":0.3,"clipSkip":2,"loras":[{"name":"grain","weight":0.5},{"name":"ink"}]}
                """).orElseThrow();

        assertEquals(new RenderJob("job-42", List.of("a", "b"), List.of(1L, 2L), new Size(640, 384),
                new RenderSettings("tiny", "blurry", "DDIM", Optional.of("karras"), OptionalDouble.of(0.3), 12, 6.5, 2,
                        List.of(new Lora("grain", 0.5), new Lora("ink", 1.0)))), job);
    }

    @Test
    void aMinimalCampaignHasOnePlainStyleAndTheDefaultSize() {
        Campaign campaign = (Campaign) parser.parse("""
                {"apiVersion": "diffarm/v1", "kind": "campaign", "id": "spring", "model": "sd15",
                 "prompts": ["a red sneaker"]}
                """).orElseThrow();

        assertEquals(List.of(new Style("plain", "{prompt}")), campaign.styles());
        assertEquals(List.of(new Size(512, 512)), campaign.sizes());
        assertEquals(List.of(Defaults.seedFor("spring")), campaign.seeds());
        assertEquals(RenderSettings.defaults("sd15"), campaign.settings());
    }

    @Test
    void aFullCampaignParsesAsWritten() {
        Campaign campaign = (Campaign) parser.parse("""
                {"apiVersion": "diffarm/v1", "kind": "campaign", "id": "spring", "model": "sd15",
                 "prompts": ["a red sneaker", "a blue backpack"], "negativePrompt": "blurry",
                 "styles": [{"name": "studio", "template": "product photo of {prompt}"},
                            {"name": "oil", "template": "oil painting of {prompt}", "negativePrompt": "photo",
                             "loras": [{"name": "brush", "weight": 0.7}]}],
                 "sizes": [{"width": 512, "height": 512}, {"width": 768, "height": 512}],
                 "seeds": [1, 2, 3], "steps": 30}
                """).orElseThrow();

        assertEquals(List.of(new Style("studio", "product photo of {prompt}"),
                new Style("oil", "oil painting of {prompt}", "photo", List.of(new Lora("brush", 0.7)))),
                campaign.styles());
        assertEquals(List.of(new Size(512, 512), new Size(768, 512)), campaign.sizes());
        assertEquals(List.of(1L, 2L, 3L), campaign.seeds());
        assertEquals(30, campaign.settings().steps());
        assertEquals(2 * 2 * 2 * 3, campaign.taskCount());
    }

    @Test
    void integralNumbersWrittenWithAFractionAreIntegersAndSeedsSpanUnsigned32Bits() {
        RenderJob job = (RenderJob) parser.parse("""
                {"apiVersion": "diffarm/v1", "kind": "render", "id": "j", "model": "m", "prompts": ["p"],
                 "steps": 25.0, "seeds": [0, 4294967295], "cfg": 7}
                """).orElseThrow();

        assertEquals(25, job.settings().steps());
        assertEquals(List.of(0L, 4294967295L), job.seeds());
        assertEquals(7.0, job.settings().cfg());
    }

    @Test
    void bytesParseLikeText() {
        String json = """
                {"apiVersion": "diffarm/v1", "kind": "render", "id": "ü-1", "model": "m", "prompts": ["über"]}
                """.replace("ü-1", "u-1");

        assertEquals(parser.parse(json).orElseThrow(), parser.parse(json.getBytes(StandardCharsets.UTF_8)).orElseThrow());
        assertEquals("über", ((ImageJob) parser.parse(json.getBytes(StandardCharsets.UTF_16)).orElseThrow()).prompts().get(0));
    }

    @Test
    void aJobWrittenAsJsonParsesBackToItself() {
        Campaign campaign = new Campaign("spring", List.of("a", "b"), List.of(7L, 8L),
                List.of(new Size(512, 768)), List.of(new Style("oil", "oil {prompt}", "photo, {prompt}",
                        List.of(new Lora("brush", -0.25)))),
                RenderSettings.defaults("sd15").withSchedule(Optional.of("karras")).withEta(OptionalDouble.of(0.25)).withCfg(6.25)
                        .withLoras(List.of(new Lora("grain"))));
        RenderJob render = new RenderJob("cats-1", List.of("a cat"), RenderSettings.defaults("sd15").withSteps(5));

        for (Job job : List.of(campaign, render)) {
            assertEquals(job, parser.parse(job.toJson()).orElseThrow(), job.toJson());
        }
        System.out.println("render job as JSON: " + render.toJson());
    }

    @Test
    void theCatalogRefusesUnknownNamesWithTheirFieldAndTheKnownNames() {
        JobParser farm = new JobParser(Catalog.of(Map.of(Catalog.Kind.MODEL, List.of("sd15"),
                Catalog.Kind.SAMPLER, List.of("Euler a", "DDIM"), Catalog.Kind.LORA, List.of("grain"))));

        ParseResult result = farm.parse("""
                {"apiVersion": "diffarm/v1", "kind": "campaign", "id": "c", "model": "sd51", "sampler": "Eular a",
                 "schedule": "anything", "prompts": ["p"], "loras": [{"name": "grain"}, {"name": "dust"}],
                 "styles": [{"name": "s", "template": "{prompt}", "loras": [{"name": "ink"}]}]}
                """);

        ParseResult.Invalid invalid = assertInstanceOf(ParseResult.Invalid.class, result);
        assertEquals(Optional.of("c"), invalid.jobId());
        assertEquals(List.of(
                "model = \"sd51\": expected a model this farm has: sd15",
                "sampler = \"Eular a\": expected a sampler this farm has: Euler a, DDIM",
                "loras[1].name = \"dust\": expected a LoRA this farm has: grain",
                "styles[0].loras[0].name = \"ink\": expected a LoRA this farm has: grain"),
                invalid.errors().stream().map(ValidationError::message).toList());
        assertTrue(invalid.errors().stream().allMatch(error -> error.code() == ValidationError.Code.UNKNOWN_NAME));
        assertEquals(List.of(), farm.checkNames(new RenderJob("r", List.of("p"), RenderSettings.defaults("sd15"))));
    }

    @Test
    void orElseThrowOfAnInvalidJobListsEveryProblem() {
        InvalidJobException thrown = assertThrows(InvalidJobException.class, () -> parser.parse("""
                {"apiVersion": "diffarm/v1", "kind": "render", "id": "j", "model": "m", "prompts": ["p"],
                 "steps": 0, "cfg": -1, "eta": 1.5}
                """).orElseThrow());

        assertEquals("steps = 0: expected an integer in 1..1000\ncfg = -1: expected a number in 0..100\n"
                + "eta = 1.5: expected a number in 0..1", thrown.getMessage());
        assertEquals(3, thrown.errors().size());
    }
}
