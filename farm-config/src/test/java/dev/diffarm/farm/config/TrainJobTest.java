package dev.diffarm.farm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Train jobs: defaults, the three methods, sweeps, round trip, the schema's verdicts, and each bad value refused naming
 * its field (a field of another method naming the method too).
 */
class TrainJobTest {
    private static final String START = "{\"apiVersion\": \"diffarm/v1\", \"kind\": \"train\", \"id\": \"t-1\", "
            + "\"model\": \"sd15\", \"dataset\": \"faces\", \"output\": \"out\", ";
    private static final String DREAMBOOTH = "\"method\": \"dreambooth\", \"instancePrompt\": \"a photo of zwx dog\"";
    private static final String TI = "\"method\": \"textual-inversion\", \"token\": \"<zwx>\", \"initToken\": \"person\"";
    private static final JsonSchema SCHEMA = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
            .getSchema(JobSchema.text(), SchemaValidatorsConfig.builder().losslessNarrowing(true).build());

    private final JobParser parser = new JobParser();

    @Test
    void aMinimalJobTakesKohyasDefaults() {
        TrainJob job = parse("\"method\": \"lora\"");

        assertEquals(TrainJob.lora("t-1", "sd15", "faces", "out"), job);
        TrainJob.Run run = job.runs().get(0);
        assertEquals(new TrainSweep.Combination(1e-4, 4, 1, 1600, ""), run.settings());
        assertEquals("constant", job.lrScheduler());
        assertEquals(512, job.resolution());
        assertEquals(TrainDataOptions.DEFAULTS, job.data());
        assertEquals(TrainLoss.DEFAULTS, job.loss());
        assertEquals(TrainSamples.NONE, job.samples());
        assertEquals(LoraNetworkOptions.DEFAULTS, job.network(), "kohya's default: text encoder and UNet, one rate");
        assertEquals("loras/out.safetensors", run.outputKey());
        assertEquals(TrainJob.TASK_ID, run.taskId());
        assertEquals("train", job.kind());
        assertEquals(1, job.taskCount());
        assertEquals("jobs/t-1/loss.png", job.lossPlotKey(run.taskId()));
        assertEquals("jobs/t-1/samples/step-000100/t0000-p01.png", job.sampleKey(100, run.taskId(), 1));
    }

    @Test
    void dreamboothAndTextualInversionJobsTakeDiffusersDefaultsAndStoreWhereTheirKindOfFileGoes() {
        TrainJob dreambooth = parse(DREAMBOOTH);
        assertEquals(new DreamBoothOptions("a photo of zwx dog", Optional.empty(), 1.0, 100, Optional.empty()),
                dreambooth.dreambooth().orElseThrow());
        assertEquals(5e-6, dreambooth.runs().get(0).settings().learningRate(), "diffusers' DreamBooth learning rate");
        assertEquals("models/out.safetensors", dreambooth.runs().get(0).outputKey());

        TrainJob ti = parse(TI);
        assertEquals(new TextualInversionOptions("<zwx>", "person", 1), ti.textualInversion().orElseThrow());
        assertEquals(1e-4, ti.runs().get(0).settings().learningRate());
        assertEquals("embeddings/out.safetensors", ti.runs().get(0).outputKey());
        assertTrue(dreambooth.textualInversion().isEmpty() && ti.dreambooth().isEmpty());
    }

    @Test
    void eachCombinationOfASweepIsATaskWithItsOwnNameKeyAndHash() {
        TrainJob job = parse("\"method\": \"lora\", \"learningRate\": [1e-4, 5e-4], \"networkDim\": [4, 16], "
                + "\"networkAlpha\": 8, \"samplePrompts\": [\"a zwx mug\", \"a zwx cup\"]");

        assertEquals(4, job.taskCount());
        List<TrainJob.Run> runs = job.runs();
        assertEquals(List.of("t0000", "t0001", "t0002", "t0003"), runs.stream().map(TrainJob.Run::taskId).toList());
        assertEquals(List.of("out-lr1e-4-dim4", "out-lr1e-4-dim16", "out-lr5e-4-dim4", "out-lr5e-4-dim16"),
                runs.stream().map(TrainJob.Run::outputName).toList());
        assertEquals("loras/out-lr5e-4-dim16.safetensors", runs.get(3).outputKey());
        assertEquals(new TrainSweep.Combination(5e-4, 16, 8, 1600, "lr5e-4-dim16"), runs.get(3).settings());
        Set<String> hashes = new HashSet<>();
        runs.forEach(run -> hashes.add(run.parameterHash()));
        assertEquals(4, hashes.size(), "every combination has a hash of its own");
        assertEquals("jobs/t-1/loss-t0002.png", job.lossPlotKey("t0002"));
        assertEquals("jobs/t-1/sweep-grid.png", job.sweepGridKey());
        assertEquals(List.of(1e-4, 5e-4), job.sweep().learningRate());
        System.out.println("sweep outputs: " + runs.stream().map(TrainJob.Run::outputName).toList());

        TrainSweep labels = new TrainSweep(List.of(1e-3, 2.5e-4), List.of(8), List.of(0.5, 8.0), List.of(100, 2000));
        assertEquals(List.of("lr1e-3-alpha0.5-steps100", "lr1e-3-alpha0.5-steps2000", "lr1e-3-alpha8-steps100",
                "lr1e-3-alpha8-steps2000", "lr2.5e-4-alpha0.5-steps100"), labels.combinations().subList(0, 5).stream()
                .map(TrainSweep.Combination::label).toList(), "labels read as the values are written");
    }

    @Test
    void everyKindOfTrainJobWrittenAsJsonParsesBackToItselfAndTheSchemaAcceptsIt() throws Exception {
        List<TrainJob> jobs = List.of(
                new TrainJob("t-2", "lora", "tiny", "faces", "faces-v2", new TrainSweep(List.of(1e-3), List.of(16, 32),
                        List.of(8.0), List.of(6)), 2, 2, 0, "cosine", 2, 32, false, 1361, 3, List.of("to_q", "to_out.0"),
                        new TrainDataOptions(true, true, true, 1, 0.1), new TrainLoss("v_prediction", 0.05,
                        OptionalDouble.of(5)), Optional.empty(), Optional.empty(),
                        new TrainSamples(2, List.of("a zwx person", "zwx"), 7, 4)),
                parse(DREAMBOOTH + ", \"classPrompt\": \"a photo of a dog\", \"numClassImages\": 8, "
                        + "\"classDataset\": \"dogs\", \"priorLossWeight\": 0.5, \"trainTextEncoder\": true"),
                parse("\"method\": \"lora\", \"networkTrainTextEncoderOnly\": true, \"textEncoderLr\": 5e-5, "
                        + "\"unetLr\": 2e-4"),
                parse("\"method\": \"lora\", \"networkTrainUnetOnly\": true, \"gradientCheckpointing\": true"),
                parse(TI + ", \"numVectors\": 4, \"sampleEvery\": 10, \"samplePrompts\": [\"<zwx> on a beach\"]"));
        ObjectMapper json = new ObjectMapper();
        for (TrainJob job : jobs) {
            assertEquals(job, parser.parse(job.toJson()).orElseThrow(), job.toJson());
            assertEquals(Set.of(), SCHEMA.validate(json.readTree(job.toJson())), job.toJson());
            assertEquals(64, job.parameterHash().length());
        }
        TrainJob renamed = parser.parse(jobs.get(0).toJson().replace("\"t-2\"", "\"t-3\"")).orElseThrow() instanceof
                TrainJob other ? other : null;
        assertEquals(jobs.get(0).parameterHash(), renamed.parameterHash(), "the id does not decide the results");
    }

    @Test
    void badValuesAreRefusedNamingTheirFieldByTheParserAndTheSchema() throws Exception {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("method", "\"method\": \"hypernetwork\"");
        cases.put("networkDim", "\"method\": \"lora\", \"networkDim\": 0");
        cases.put("learningRate", "\"method\": \"lora\", \"learningRate\": -0.001");
        cases.put("learningRate[1]", "\"method\": \"lora\", \"learningRate\": [1e-4, 2], \"samplePrompts\": [\"p\"]");
        cases.put("networkAlpha", "\"method\": \"lora\", \"networkAlpha\": []");
        cases.put("maxTrainSteps[1]", "\"method\": \"lora\", \"maxTrainSteps\": [10, 10], \"samplePrompts\": [\"p\"]");
        cases.put("lrScheduler", "\"method\": \"lora\", \"lrScheduler\": \"step\"");
        cases.put("keepTokens", "\"method\": \"lora\", \"keepTokens\": -1");
        cases.put("captionDropoutRate", "\"method\": \"lora\", \"captionDropoutRate\": 1.5");
        cases.put("flipAug", "\"method\": \"lora\", \"flipAug\": \"yes\"");
        cases.put("predictionType", "\"method\": \"lora\", \"predictionType\": \"sample\"");
        cases.put("noiseOffset", "\"method\": \"lora\", \"noiseOffset\": -0.1");
        cases.put("snrGamma", "\"method\": \"lora\", \"snrGamma\": 0");
        cases.put("sampleSteps", "\"method\": \"lora\", \"sampleSteps\": 0");
        cases.put("sampleSeed", "\"method\": \"lora\", \"sampleSeed\": -1");
        cases.put("samplePrompts[0]", "\"method\": \"lora\", \"samplePrompts\": [\" \"]");
        cases.put("samplePrompts[1]", "\"method\": \"lora\", \"samplePrompts\": [\"a\", \"a\"]");
        cases.put("priorLossWeight", DREAMBOOTH + ", \"priorLossWeight\": -1");
        cases.put("numClassImages", DREAMBOOTH + ", \"numClassImages\": 20000");
        cases.put("instancePrompt", "\"method\": \"dreambooth\"");
        cases.put("token", "\"method\": \"textual-inversion\", \"token\": \"two words\", \"initToken\": \"person\"");
        cases.put("initToken", "\"method\": \"textual-inversion\", \"token\": \"<zwx>\"");
        cases.put("numVectors", TI + ", \"numVectors\": 0");
        cases.put("textEncoderLr", "\"method\": \"lora\", \"textEncoderLr\": 0");
        cases.put("unetLr", "\"method\": \"lora\", \"unetLr\": -1e-4");
        cases.put("networkTrainUnetOnly", "\"method\": \"lora\", \"networkTrainUnetOnly\": \"yes\"");
        cases.put("networkTrainTextEncoderOnly", "\"method\": \"lora\", \"networkTrainUnetOnly\": true, "
                + "\"networkTrainTextEncoderOnly\": true");
        cases.put("trainTextEncoder", DREAMBOOTH + ", \"trainTextEncoder\": 1");
        cases.put("gradientCheckpointing", "\"method\": \"lora\", \"gradientCheckpointing\": \"on\"");
        ObjectMapper json = new ObjectMapper();
        for (Map.Entry<String, String> c : cases.entrySet()) {
            String document = START + c.getValue() + "}";
            assertEquals(List.of(Optional.of(c.getKey())), fieldsOf(document), document);
            assertFalse(SCHEMA.validate(json.readTree(document)).isEmpty(), "the schema refuses it too: " + document);
        }
        System.out.println("bad train values refused by parser and schema: " + cases.size());
        IllegalArgumentException rank = assertThrows(IllegalArgumentException.class, () -> TrainSweep.single(1e-4, 0, 1, 1));
        assertTrue(rank.getMessage().contains("networkDim"), rank.getMessage());
    }

    @Test
    void aDatasetMayNameAPrefixOfTheStoreUnderDatasetsAndBadPrefixesAreRefusedNamingDataset() throws Exception {
        ObjectMapper json = new ObjectMapper();
        String kohya = "store:datasets/faces/10_zwx person/";
        TrainJob stored = parseWithDataset(kohya);
        assertEquals(Optional.of("datasets/faces/10_zwx person/"), stored.storedDataset());
        assertEquals(Optional.empty(), parse("\"method\": \"lora\"").storedDataset(), "a folder name is no prefix");
        assertEquals(Set.of(), SCHEMA.validate(json.readTree(stored.toJson())), stored.toJson());

        List<String> bad = List.of("store:faces/", "store:datasets/", "store:datasets/faces", "store:datasets/../x/",
                "store:datasets/faces/../../jobs/", "store:datasets/./faces/", "store:datasets/.hidden/",
                "store:datasets//faces/", "store:/datasets/faces/", "store:datasets/fa\\ces/", "store:datasets/f*/",
                "store:datasets/" + "a/".repeat(9), "store:datasets/" + "abcdefghij".repeat(26) + "/", "datasets/faces/");
        for (String dataset : bad) {
            String document = START.replace("\"faces\"", json.writeValueAsString(dataset)) + "\"method\": \"lora\"}";
            List<Optional<String>> fields = fieldsOf(document);
            assertEquals(List.of(Optional.of("dataset")), fields, document);
            assertFalse(SCHEMA.validate(json.readTree(document)).isEmpty(), "the schema refuses it too: " + document);
        }
        IllegalArgumentException record = assertThrows(IllegalArgumentException.class,
                () -> TrainJob.lora("t-1", "sd15", "store:datasets/../jobs/", "out"));
        assertTrue(record.getMessage().contains("dataset") && record.getMessage().contains("store:datasets/"),
                record.getMessage());
        System.out.println("bad store prefixes refused naming dataset: " + bad.size() + "; e.g. " + record.getMessage());
    }

    private TrainJob parseWithDataset(String dataset) throws Exception {
        String document = START.replace("\"faces\"", new ObjectMapper().writeValueAsString(dataset))
                + "\"method\": \"lora\"}";
        return (TrainJob) parser.parse(document).orElseThrow();
    }

    @Test
    void whatOnlyTheParserCanTellIsRefusedNamingTheField() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("samplePrompts", "\"method\": \"lora\", \"learningRate\": [1e-4, 5e-4]");
        cases.put("learningRate", "\"method\": \"lora\", \"learningRate\": [1e-4, 2e-4, 3e-4, 4e-4, 5e-4], "
                + "\"networkDim\": [4, 8, 16, 32], \"samplePrompts\": [\"p\"]");
        cases.put("classDataset", DREAMBOOTH + ", \"classDataset\": \"dogs\"");
        cases.forEach((field, fields) -> assertEquals(List.of(Optional.of(field)), fieldsOf(START + fields + "}"), fields));
        String longOutput = (START + "\"method\": \"lora\", \"learningRate\": [1e-4, 5e-4], \"samplePrompts\": [\"p\"]}")
                .replace("\"output\": \"out\"", "\"output\": \"" + "o".repeat(125) + "\"");
        assertEquals(List.of(Optional.of("output")), fieldsOf(longOutput), "a sweep's names would pass 128 characters");
        ParseResult.Invalid sweep = (ParseResult.Invalid) parser.parse(START + cases.get("learningRate") + "}");
        assertTrue(sweep.errors().get(0).message().contains("at most 16 combinations"), sweep.errors().toString());
        System.out.println("sweep too large: " + sweep.errors().get(0).message());
    }

    @Test
    void aFieldOfAnotherMethodIsRefusedNamingTheFieldAndTheMethod() throws Exception {
        ObjectMapper json = new ObjectMapper();
        Map<String, String> cases = Map.of(
                "token", "\"method\": \"lora\", \"token\": \"<zwx>\"",
                "networkDim", DREAMBOOTH + ", \"networkDim\": 8",
                "instancePrompt", TI + ", \"instancePrompt\": \"zwx\"",
                "loraTargets", TI + ", \"loraTargets\": [\"to_q\"]",
                "classPrompt", "\"method\": \"lora\", \"classPrompt\": \"a dog\"",
                "textEncoderLr", DREAMBOOTH + ", \"textEncoderLr\": 1e-5",
                "trainTextEncoder", "\"method\": \"lora\", \"trainTextEncoder\": true");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            String field = c.getKey();
            String fields = c.getValue();
            assertFalse(SCHEMA.validate(json.readTree(START + fields + "}")).isEmpty(), "the schema refuses it: " + fields);
            ParseResult.Invalid invalid = assertInstanceOf(ParseResult.Invalid.class, parser.parse(START + fields + "}"));
            assertEquals(List.of(Optional.of(field)), invalid.errors().stream().map(ValidationError::field).toList());
            String message = invalid.errors().get(0).message();
            String method = fields.substring(fields.indexOf(": \"") + 3, fields.indexOf("\"", fields.indexOf(": \"") + 3));
            assertTrue(message.contains("on a " + method + " job"), message);
            System.out.println("refused: " + message);
        }
    }

    /** kohya's LoRA parts and rates, and DreamBooth's text encoder, as the fields give them. */
    @Test
    void loraPartsAndRatesAndDreamBoothsTextEncoderAreReadAsGiven() {
        TrainJob lora = parse("\"method\": \"lora\", \"networkTrainUnetOnly\": true, \"unetLr\": 2e-4");
        assertEquals(new LoraNetworkOptions(true, false, OptionalDouble.empty(), OptionalDouble.of(2e-4)), lora.network());
        assertTrue(parse(DREAMBOOTH + ", \"trainTextEncoder\": true").dreambooth().orElseThrow().trainTextEncoder());
        assertFalse(parse(DREAMBOOTH).dreambooth().orElseThrow().trainTextEncoder(), "diffusers' default: frozen");
        assertTrue(parse(TI + ", \"gradientCheckpointing\": true").gradientCheckpointing(), "every method has it");
        assertFalse(parse(TI).gradientCheckpointing(), "kohya's default: off");
        assertNotEquals(parse("\"method\": \"lora\"").parameterHash(), lora.parameterHash(), "they decide the result");
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> new LoraNetworkOptions(true,
                true, OptionalDouble.empty(), OptionalDouble.empty()));
        assertTrue(both.getMessage().startsWith("networkTrainTextEncoderOnly:"), both.getMessage());
    }

    @Test
    void theModelMustBeOneTheFarmHas() {
        JobParser farm = new JobParser(Catalog.of(Map.of(Catalog.Kind.MODEL, List.of("tiny"))));
        ParseResult.Invalid invalid = assertInstanceOf(ParseResult.Invalid.class,
                farm.parse(START + "\"method\": \"lora\"}"));
        assertEquals(List.of(Optional.of("model")), invalid.errors().stream().map(ValidationError::field).toList());
    }

    private TrainJob parse(String fields) {
        return (TrainJob) parser.parse(START + fields + "}").orElseThrow();
    }

    private List<Optional<String>> fieldsOf(String document) {
        ParseResult.Invalid invalid = assertInstanceOf(ParseResult.Invalid.class, parser.parse(document), document);
        return invalid.errors().stream().map(ValidationError::field).toList();
    }
}
