package dev.diffarm.farm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Train jobs: defaults, round trip, and each bad value refused naming its field. */
class TrainJobTest {
    private static final String START = "{\"apiVersion\": \"diffarm/v1\", \"kind\": \"train\", \"id\": \"t-1\", ";

    private final JobParser parser = new JobParser();

    @Test
    void aMinimalJobTakesKohyasDefaults() {
        TrainJob job = (TrainJob) parser.parse(START
                + "\"method\": \"lora\", \"model\": \"sd15\", \"dataset\": \"house-style\", \"output\": \"house\"}")
                .orElseThrow();

        assertEquals(TrainJob.lora("t-1", "sd15", "house-style", "house"), job);
        assertEquals(1e-4, job.learningRate());
        assertEquals(4, job.networkDim());
        assertEquals(1600, job.maxTrainSteps());
        assertEquals("constant", job.lrScheduler());
        assertEquals(512, job.resolution());
        assertEquals("loras/house.safetensors", job.loraKey());
        assertEquals("train", job.kind());
        assertEquals(1, job.taskCount());
    }

    @Test
    void aTrainJobWrittenAsJsonParsesBackToItself() {
        TrainJob job = new TrainJob("t-2", "lora", "tiny", "faces", "faces-v2", 1e-3, 16, 8, 6, 2, 2, 0, "cosine", 2,
                32, false, false, 1361, 3, List.of("to_q", "to_out.0"));
        assertEquals(job, parser.parse(job.toJson()).orElseThrow(), job.toJson());
        assertEquals(64, job.parameterHash().length());
        TrainJob other = new TrainJob("t-3", "lora", "tiny", "faces", "faces-v2", 1e-3, 16, 8, 6, 2, 2, 0, "cosine", 2,
                32, false, false, 1361, 3, List.of("to_q", "to_out.0"));
        assertEquals(job.parameterHash(), other.parameterHash(), "the id does not decide the LoRA");
    }

    @Test
    void badValuesAreRefusedNamingTheirField() {
        Map<String, String> cases = Map.of(
                "method", "\"method\": \"dreambooth\"",
                "networkDim", "\"method\": \"lora\", \"networkDim\": 0",
                "learningRate", "\"method\": \"lora\", \"learningRate\": -0.001",
                "dataset", "\"method\": \"lora\", \"dataset\": \"../../etc\"",
                "enableBucket", "\"method\": \"lora\", \"enableBucket\": true",
                "lrScheduler", "\"method\": \"lora\", \"lrScheduler\": \"step\"");
        cases.forEach((field, fields) -> {
            String json = START + fields + (fields.contains("\"dataset\"") ? "" : ", \"dataset\": \"faces\"")
                    + ", \"model\": \"sd15\", \"output\": \"out\"}";
            ParseResult.Invalid invalid = assertInstanceOf(ParseResult.Invalid.class, parser.parse(json), json);
            assertEquals(List.of(Optional.of(field)), invalid.errors().stream().map(ValidationError::field).toList(),
                    invalid.errors().toString());
        });
        ParseResult.Invalid method = (ParseResult.Invalid) parser.parse(START + "\"method\": \"textual-inversion\", "
                + "\"model\": \"sd15\", \"dataset\": \"faces\", \"output\": \"out\"}");
        assertTrue(method.errors().get(0).message().contains("not yet"), method.errors().get(0).message());
        IllegalArgumentException rank = assertThrows(IllegalArgumentException.class, () -> new TrainJob("t", "lora",
                "m", "d", "o", 1e-4, 0, 1, 1, 1, 1, 1, "constant", 0, 512, false, true, 1, 0, List.of()));
        assertTrue(rank.getMessage().contains("networkDim"), rank.getMessage());
    }

    @Test
    void theModelMustBeOneTheFarmHas() {
        JobParser farm = new JobParser(Catalog.of(Map.of(Catalog.Kind.MODEL, List.of("tiny"))));
        ParseResult.Invalid invalid = assertInstanceOf(ParseResult.Invalid.class, farm.parse(START
                + "\"method\": \"lora\", \"model\": \"sd15\", \"dataset\": \"faces\", \"output\": \"out\"}"));
        assertEquals(List.of(Optional.of("model")), invalid.errors().stream().map(ValidationError::field).toList());
    }
}
