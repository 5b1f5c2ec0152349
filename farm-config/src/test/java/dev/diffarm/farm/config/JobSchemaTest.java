package dev.diffarm.farm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.Arguments;

/** The shipped JSON Schema and the parser agree: same fields, same required ones, same defaults, same verdicts. */
class JobSchemaTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    /** As draft 2020-12 says, 20.0 is an integer. */
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder().losslessNarrowing(true).build();

    private final JsonNode schema = read(JobSchema.text());
    private final JsonSchema validator = FACTORY.getSchema(JobSchema.text(), CONFIG);
    private final JobParser parser = new JobParser();

    @Test
    void theSchemaIsAValidDraft202012Schema() {
        JsonSchema metaSchema = FACTORY.getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));

        assertEquals(Set.of(), metaSchema.validate(schema));
        assertEquals("https://json-schema.org/draft/2020-12/schema", schema.get("$schema").asText());
    }

    @Test
    void everyFieldTheRecordsHaveIsInTheSchemaAndNoOther() {
        Set<String> jobFields = Set.of("apiVersion", "kind");
        assertEquals(union(jobFields, flatten(RenderJob.class)), properties("render"));
        assertEquals(union(jobFields, flatten(Campaign.class)), properties("campaign"));
        assertEquals(union(jobFields, names(MergeJob.class)), properties("merge"));
        assertEquals(union(jobFields, upscaleFields()), properties("upscale"));
        assertEquals(withModeFields(names(Style.class)), properties("style"));
        assertEquals(names(Lora.class), properties("lora"));
        assertEquals(names(Size.class), properties("size"));
    }

    /** Jobs that between them write every field of the image modes: an inpainting, an outpainting, a hires pass (with a ControlNet unit and an upscale step). */
    private static List<RenderJob> modeJobs() {
        ImageInput picture = new StoredImage("inputs/p.png");
        RenderSettings settings = RenderSettings.defaults("m");
        InitImageSettings inpaint = new InitImageSettings(picture, InitResizeMode.CROP_AND_RESIZE, 0.5,
                Optional.of(new MaskSettings(new StoredImage("inputs/m.png"), 2, true, InpaintingFill.FILL,
                        java.util.OptionalInt.of(16))), Optional.empty());
        InitImageSettings outpaint = new InitImageSettings(picture, InitResizeMode.JUST_RESIZE, 1.0, Optional.empty(),
                Optional.of(new OutpaintSides(8, 8, 0, 0)));
        return List.of(new RenderJob("i", List.of("p"), settings.withModes(ImageModes.of(inpaint))),
                new RenderJob("o", List.of("p"), settings.withModes(ImageModes.of(outpaint))),
                new RenderJob("h", List.of("p"), settings.withModes(ImageModes.of(HiresSettings.of(1.5))
                        .withControlNets(List.of(cannyUnit())).withUpscale(Optional.of(UpscaleSettings.of("Lanczos", 2))))));
    }

    /** A ControlNet unit with every field written. */
    private static ControlNetUnit cannyUnit() {
        return new ControlNetUnit("control", new StoredImage("inputs/edges.png"), "canny", 0.8, 0.1, 0.9,
                OptionalDouble.of(50), OptionalDouble.of(150), InitResizeMode.JUST_RESIZE, java.util.OptionalInt.of(512));
    }

    /** The JSON fields of the image modes, as jobs write them. */
    private static Set<String> modeFields() {
        Set<String> fields = new TreeSet<>();
        modeJobs().forEach(job -> fields.addAll(fieldNames(read(job.toJson()))));
        fields.removeAll(fieldNames(read(new RenderJob("j", List.of("p"), RenderSettings.defaults("m")).toJson())));
        return fields;
    }

    @Test
    void theModesFieldsAreWrittenInTheSchemaAndCheckedThere() {
        assertEquals(17, modeFields().size(), modeFields()::toString);
        for (RenderJob job : modeJobs()) {
            assertEquals(Set.of(), validator.validate(read(job.toJson())), job.toJson());
            assertTrue(properties("render").containsAll(fieldNames(read(job.toJson()))));
        }
    }

    @Test
    void everyFieldAJobWritesIsInTheSchema() {
        Campaign campaign = new Campaign("c", List.of("p"), List.of(1L), List.of(Defaults.SIZE),
                List.of(new Style("s", "{prompt}", "", List.of(new Lora("l")))),
                RenderSettings.defaults("m").withSchedule(Optional.of("karras")).withEta(OptionalDouble.of(0.5)));
        RenderJob render = new RenderJob("r", List.of("p"), RenderSettings.defaults("m").withSchedule(Optional.of("k"))
                .withEta(OptionalDouble.of(0)));

        assertEquals(properties("campaign"), union(modeFields(), fieldNames(read(campaign.toJson()))));
        assertEquals(properties("style"), union(modeFields(), fieldNames(read(campaign.toJson()).get("styles").get(0))));
        assertEquals(properties("lora"), fieldNames(read(campaign.toJson()).get("styles").get(0).get("loras").get(0)));
        assertEquals(properties("controlnet"), fieldNames(read(modeJobs().get(2).toJson()).get("controlnets").get(0)));
        assertEquals(properties("upscaleStep"), fieldNames(read(modeJobs().get(2).toJson()).get("upscale")));
        assertEquals(properties("render"), union(modeFields(), fieldNames(read(render.toJson()))));
        assertEquals(properties("merge"), fieldNames(read(MergeJob.addDifference("m", "a", "b", "c", 1, "o").toJson())));
        assertEquals(properties("upscale"), fieldNames(read(new UpscaleJob("u", List.of(new StoredImage("inputs/a.png")),
                "x4", 4, 192, 8, new SdUpscaleFields(Optional.of("p"), Optional.of("n"), Optional.of("DDIM"),
                java.util.OptionalInt.of(20), OptionalDouble.of(9), java.util.OptionalLong.of(1),
                java.util.OptionalInt.of(20))).toJson())));
    }

    @Test
    void theSchemaRequiresExactlyWhatTheParserRequires() {
        // c, required by add-difference only, is among the bad documents of JobValidationTest.
        Map<String, Job> fullJobs = Map.of("render", new RenderJob("j", List.of("p"), RenderSettings.defaults("m")),
                "campaign", new Campaign("j", List.of("p"), List.of(1L), List.of(Defaults.SIZE), List.of(Defaults.STYLE),
                        RenderSettings.defaults("m")),
                "merge", MergeJob.weightedSum("j", "a", "b", 0.5, "o"),
                "upscale", UpscaleJob.of("j", List.of(new StoredImage("inputs/a.png")), "Lanczos"));
        for (String kind : fullJobs.keySet()) {
            ObjectNode full = (ObjectNode) read(fullJobs.get(kind).toJson());
            Set<String> requiredByParser = new TreeSet<>();
            for (String field : properties(kind)) {
                ObjectNode without = full.deepCopy();
                without.remove(field);
                if (parser.parse(without.toString()) instanceof ParseResult.Invalid) {
                    requiredByParser.add(field);
                }
            }
            Set<String> requiredBySchema = new TreeSet<>();
            definition(kind).get("required").forEach(field -> requiredBySchema.add(field.asText()));
            assertEquals(requiredBySchema, requiredByParser, kind);
        }
    }

    @Test
    void theSchemasDefaultsAreWhatTheParserFillsIn() {
        String job = "\"apiVersion\": \"diffarm/v1\", \"id\": \"j\", \"model\": \"m\", \"prompts\": [\"p\"]";
        JsonNode render = read(parser.parse("{" + job + ", \"kind\": \"render\"}").orElseThrow().toJson());
        JsonNode campaign = read(parser.parse("{" + job + ", \"kind\": \"campaign\"}").orElseThrow().toJson());
        JsonNode styled = read(parser.parse("{" + job + ", \"kind\": \"campaign\", \"styles\": [{\"name\": \"s\", "
                + "\"template\": \"{prompt}\"}], \"loras\": [{\"name\": \"l\"}]}").orElseThrow().toJson());

        List<String> compared = new ArrayList<>();
        compared.addAll(assertDefaults("render", render));
        compared.addAll(assertDefaults("campaign", campaign));
        compared.addAll(assertDefaults("style", styled.get("styles").get(0)));
        compared.addAll(assertDefaults("lora", styled.get("loras").get(0)));
        System.out.println("defaults compared: " + compared);

        // The seeds' default depends on the id, and a missing schedule or eta means "the sampler's own": no constant.
        // The modes' fields are not written unless set, and some defaults depend on the mode (the description says).
        assertEquals(union(Set.of("eta", "schedule", "seeds"), modeFields()), optionalWithoutDefault("render"));
        assertEquals(union(Set.of("eta", "schedule", "seeds"), modeFields()), optionalWithoutDefault("campaign"));
        assertEquals(Defaults.seedFor("j"), render.get("seeds").get(0).asLong());
        assertEquals(1, render.get("seeds").size());
    }

    @Test
    void theSchemaAcceptsTheJobsTheParserAccepts() {
        List<String> good = List.of(
                "{\"apiVersion\": \"diffarm/v1\", \"kind\": \"render\", \"id\": \"cats-1\", \"model\": \"sd15\", \"prompts\": [\"a\"]}",
                "{\"apiVersion\":\"diffarm/v1\",\"kind\":\"render\",\"id\":\"job-42\",\"model\":\"tiny\",\"prompts\":[\"a\",\"b\"],"
                        + "\"negativePrompt\":\"blurry\",\"sampler\":\"DDIM\",\"steps\":12.0,\"cfg\":6.5,\"seeds\":[0,4294967295],"
                        + "\"width\":640,\"height\":384,\"schedule\":\"karras\",\"clipSkip\":2,\"loras\":[{\"name\":\"g\",\"weight\":-0.5}]}",
                "{\"apiVersion\": \"diffarm/v1\", \"kind\": \"campaign\", \"id\": \"spring\", \"model\": \"sd15\", \"prompts\": [\"a\"]}",
                new Campaign("c.1_x", List.of("p", "q"), List.of(1L, 2L), List.of(new Size(8, 4096), Defaults.SIZE),
                        List.of(new Style("s", "{prompt}!", "n", List.of(new Lora("l", 10))), Defaults.STYLE),
                        RenderSettings.defaults("m").withCfg(0).withSteps(1000)).toJson(),
                "{\"apiVersion\": \"diffarm/v1\", \"kind\": \"merge\", \"id\": \"mix\", \"method\": \"weighted-sum\", "
                        + "\"a\": \"sd15\", \"b\": \"sd15\", \"multiplier\": 0, \"output\": \"sd15.half-mix_2\"}",
                MergeJob.addDifference("mix.2", "a", "b", "c", 1, "o").toJson(),
                "{\"apiVersion\": \"diffarm/v1\", \"kind\": \"upscale\", \"id\": \"big\", \"upscaler\": \"4x-UltraSharp\", "
                        + "\"images\": [\"inputs/a.png\", \"inputs/b.png\"], \"scale\": 2.5, \"tile\": 0, \"tileOverlap\": 0}",
                "{\"apiVersion\": \"diffarm/v1\", \"kind\": \"upscale\", \"id\": \"sharp\", \"upscaler\": \"x4\", "
                        + "\"images\": [\"inputs/a.png\"], \"prompt\": \"\", \"negativePrompt\": \"blurry\", \"sampler\": "
                        + "\"Euler a\", \"steps\": 1000, \"cfg\": 0, \"seed\": 4294967295, \"noiseLevel\": 350}",
                new UpscaleJob("big.2", List.of(new StoredImage("inputs/a.png")), "R-ESRGAN 4x+", 8, 4096, 4095).toJson());

        for (String json : good) {
            assertInstanceOf(ParseResult.Valid.class, parser.parse(json), json);
            assertEquals(Set.of(), validator.validate(read(json)), json);
        }
    }

    @Test
    void theSchemaRefusesTheJobsTheParserRefusesUnlessOnlyTheParserCanTell() {
        // What no JSON Schema can say: the task cap, distinct names within arrays of objects, merged lengths, one
        // number less than another.
        Set<ValidationError.Code> parserOnly = Set.of(ValidationError.Code.TOO_MANY_TASKS);
        Set<String> parserOnlyFields = Set.of("styles[1].name", "loras[1].name", "styles[0].negativePrompt",
                "tileOverlap");
        int compared = 0;
        for (Iterator<Arguments> it = JobValidationTest.oneProblem().iterator(); it.hasNext(); ) {
            Object[] arguments = it.next().get();
            String json = (String) arguments[0];
            ValidationError.Code code = (ValidationError.Code) arguments[1];
            boolean schemaCanTell = !parserOnly.contains(code) && !parserOnlyFields.contains((String) arguments[2]);
            Set<ValidationMessage> schemaErrors = validator.validate(read(json));
            assertEquals(schemaCanTell, !schemaErrors.isEmpty(), () -> json + " -> " + schemaErrors);
            compared++;
        }
        System.out.println("bad documents compared with the schema: " + compared);
    }

    private List<String> assertDefaults(String definition, JsonNode written) {
        List<String> compared = new ArrayList<>();
        definition(definition).get("properties").properties().forEach(property -> {
            JsonNode declared = resolve(property.getValue()).get("default");
            if (declared != null) {
                assertTrue(numericEquals(declared, written.get(property.getKey())),
                        () -> definition + "." + property.getKey() + ": schema default " + declared + ", parser "
                                + written.get(property.getKey()));
                compared.add(definition + "." + property.getKey());
            }
        });
        assertFalse(compared.isEmpty());
        return compared;
    }

    private Set<String> optionalWithoutDefault(String definition) {
        Set<String> required = new TreeSet<>();
        definition(definition).get("required").forEach(field -> required.add(field.asText()));
        Set<String> fields = new TreeSet<>();
        definition(definition).get("properties").properties().forEach(property -> {
            JsonNode resolved = resolve(property.getValue());
            if (!required.contains(property.getKey()) && !resolved.has("default") && !resolved.has("const")) {
                fields.add(property.getKey());
            }
        });
        return fields;
    }

    /** A property's own keywords over those of the definition it refers to. */
    private JsonNode resolve(JsonNode property) {
        if (!property.has("$ref")) {
            return property;
        }
        String name = property.get("$ref").asText().substring("#/$defs/".length());
        ObjectNode merged = resolve(schema.get("$defs").get(name)).deepCopy();
        property.properties().forEach(keyword -> merged.set(keyword.getKey(), keyword.getValue()));
        return merged;
    }

    private static boolean numericEquals(JsonNode expected, JsonNode actual) {
        return expected.equals((a, b) -> a.isNumber() && b.isNumber()
                ? Double.compare(a.doubleValue(), b.doubleValue()) : a.equals(b) ? 0 : 1, actual);
    }

    private JsonNode definition(String name) {
        return schema.get("$defs").get(name);
    }

    private Set<String> properties(String definition) {
        return fieldNames(definition(definition).get("properties"));
    }

    private static Set<String> fieldNames(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** A job record's JSON fields: its size and settings components are written as top-level fields. */
    private static Set<String> flatten(Class<? extends Record> job) {
        Set<String> fields = new TreeSet<>(names(job));
        if (fields.remove("size")) {
            fields.addAll(names(Size.class));
        }
        assertTrue(fields.remove("settings"));
        fields.addAll(names(RenderSettings.class));
        return withModeFields(fields);
    }

    /** Record fields with the {@code modes} component written as the modes' own top-level fields. */
    private static Set<String> withModeFields(Set<String> recordFields) {
        Set<String> fields = new TreeSet<>(recordFields);
        assertTrue(fields.remove("modes"));
        fields.addAll(modeFields());
        return fields;
    }

    /** An upscale job's fields: its render fields ({@code diffusion}) are written as top-level fields. */
    private static Set<String> upscaleFields() {
        Set<String> fields = new TreeSet<>(names(UpscaleJob.class));
        assertTrue(fields.remove("diffusion"));
        fields.addAll(names(SdUpscaleFields.class));
        return fields;
    }

    private static Set<String> names(Class<? extends Record> type) {
        Set<String> names = new TreeSet<>();
        Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).forEach(names::add);
        return names;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }

    private static JsonNode read(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (Exception e) {
            throw new AssertionError("test JSON does not parse: " + json, e);
        }
    }
}
