package dev.diffarm.farm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Merge jobs: reading, writing, the catalog check, the parameter hash and the record. */
class MergeJobTest {
    private static final String SHA_A = "a".repeat(64);
    private static final String SHA_B = "b".repeat(64);
    private static final String SHA_OUT = "0123456789abcdef".repeat(4);

    private final JobParser parser = new JobParser();

    @Test
    void aWeightedSumParsesAsWritten() {
        MergeJob job = (MergeJob) parser.parse("""
                {"apiVersion": "diffarm/v1", "kind": "merge", "id": "mix-1", "method": "weighted-sum",
                 "a": "sd15", "b": "dreamshaper", "multiplier": 0.3, "output": "dream-mix"}
                """).orElseThrow();

        assertEquals(MergeJob.weightedSum("mix-1", "sd15", "dreamshaper", 0.3, "dream-mix"), job);
        assertEquals(List.of("sd15", "dreamshaper"), job.models());
        assertEquals("dream-mix.safetensors", job.outputFile());
        assertEquals("jobs/mix-1/merge.json", job.recordKey());
        assertEquals(1, job.taskCount());
        assertEquals("merge", job.kind());
    }

    @Test
    void anAddDifferenceParsesWithItsThirdModel() {
        MergeJob job = (MergeJob) parser.parse("""
                {"apiVersion": "diffarm/v1", "kind": "merge", "id": "mix-2", "method": "add-difference",
                 "a": "real", "b": "anime", "c": "sd15", "multiplier": 1, "output": "real-anime"}
                """).orElseThrow();

        assertEquals(new MergeJob("mix-2", MergeMethod.ADD_DIFFERENCE, "real", "anime", Optional.of("sd15"), 1.0,
                "real-anime"), job);
        assertEquals(List.of("real", "anime", "sd15"), job.models());
    }

    @Test
    void aMergeJobWrittenAsJsonParsesBackToItself() {
        for (MergeJob job : List.of(MergeJob.weightedSum("w", "a", "b", 0, "out"),
                MergeJob.addDifference("d", "a", "b", "c", 0.75, "out.v2"))) {
            assertEquals(job, parser.parse(job.toJson()).orElseThrow(), job.toJson());
        }
        assertEquals("{\"apiVersion\":\"diffarm/v1\",\"kind\":\"merge\",\"id\":\"d\",\"method\":\"add-difference\","
                + "\"a\":\"a\",\"b\":\"b\",\"c\":\"c\",\"multiplier\":0.75,\"output\":\"out.v2\"}",
                MergeJob.addDifference("d", "a", "b", "c", 0.75, "out.v2").toJson());
    }

    @Test
    void theCatalogRefusesUnknownModelsWithTheirField() {
        JobParser farm = new JobParser(Catalog.of(Map.of(Catalog.Kind.MODEL, List.of("sd15", "tiny"))));

        ParseResult.Invalid invalid = assertInstanceOf(ParseResult.Invalid.class, farm.parse("""
                {"apiVersion": "diffarm/v1", "kind": "merge", "id": "m", "method": "add-difference",
                 "a": "tiny", "b": "tyni", "c": "sd51", "multiplier": 0.5, "output": "new"}
                """));

        assertEquals(List.of("b = \"tyni\": expected a model this farm has: sd15, tiny",
                        "c = \"sd51\": expected a model this farm has: sd15, tiny"),
                invalid.errors().stream().map(ValidationError::message).toList());
        assertEquals(List.of(Optional.of("b"), Optional.of("c")), invalid.errors().stream().map(ValidationError::field).toList());
        assertEquals(List.of(), farm.checkNames(MergeJob.weightedSum("m", "tiny", "sd15", 0.5, "new")));
    }

    @Test
    void mergeJobsBuiltInJavaObeyTheParsersRules() {
        assertEquals("multiplier = 1.5: expected a number in 0..1", assertThrows(IllegalArgumentException.class,
                () -> MergeJob.weightedSum("m", "a", "b", 1.5, "out")).getMessage());
        assertEquals("c is missing: expected the name of the model whose difference to b is added (add-difference "
                + "merges a, b and c)", assertThrows(IllegalArgumentException.class,
                () -> new MergeJob("m", MergeMethod.ADD_DIFFERENCE, "a", "b", Optional.empty(), 1, "out")).getMessage());
        assertEquals("c = \"x\": expected no c: the weighted sum merges a and b only", assertThrows(
                IllegalArgumentException.class, () -> new MergeJob("m", MergeMethod.WEIGHTED_SUM, "a", "b", Optional.of("x"),
                        1, "out")).getMessage());
        assertEquals("output = \"../sd15\": expected a model name of 1 to 128 letters, digits, '.', '_' or '-', starting "
                + "with a letter or digit, without .safetensors (the file is <output>.safetensors)", assertThrows(
                IllegalArgumentException.class, () -> MergeJob.weightedSum("m", "a", "b", 1, "../sd15")).getMessage());
    }

    @Test
    void everyParameterChangesTheHashAndTheIdDoesNot() {
        MergeJob base = MergeJob.addDifference("m", "a", "b", "c", 0.5, "out");
        List<MergeJob> variants = List.of(base,
                MergeJob.addDifference("m", "x", "b", "c", 0.5, "out"),
                MergeJob.addDifference("m", "a", "x", "c", 0.5, "out"),
                MergeJob.addDifference("m", "a", "b", "x", 0.5, "out"),
                MergeJob.addDifference("m", "a", "b", "c", 0.51, "out"),
                MergeJob.addDifference("m", "a", "b", "c", 0.5, "out2"),
                MergeJob.weightedSum("m", "a", "b", 0.5, "out"));

        assertEquals(variants.size(), new HashSet<>(variants.stream().map(MergeJob::parameterHash).toList()).size());
        assertEquals(base.parameterHash(), MergeJob.addDifference("other-id", "a", "b", "c", 0.5, "out").parameterHash());
        assertEquals("{\"a\":\"a\",\"b\":\"b\",\"c\":\"c\",\"method\":\"add-difference\",\"multiplier\":0.5,\"output\":\"out\"}",
                base.parametersJson());
        // SHA-256 of the line above, computed with Python's hashlib.
        assertEquals("5a262a7175652a4d10f636bdf26eef3bda3dee01b9be2acd3919262ba857adba", base.parameterHash());
    }

    @Test
    void theRecordNamesTheInputsAndTheOutputAndReadsBack() {
        MergeJob job = MergeJob.weightedSum("mix-1", "sd15", "dreamshaper", 0.3, "dream-mix");
        MergeRecord record = new MergeRecord(job, List.of(SHA_A, SHA_B), 2_132_625_894L, SHA_OUT, 1131, 41.7);

        assertEquals("{\"apiVersion\":\"diffarm/v1\",\"jobId\":\"mix-1\",\"kind\":\"merge\",\"method\":\"weighted-sum\","
                + "\"multiplier\":0.3,\"inputs\":[{\"field\":\"a\",\"model\":\"sd15\",\"sha256\":\"" + SHA_A + "\"},"
                + "{\"field\":\"b\",\"model\":\"dreamshaper\",\"sha256\":\"" + SHA_B + "\"}],\"output\":{\"model\":"
                + "\"dream-mix\",\"file\":\"dream-mix.safetensors\",\"bytes\":2132625894,\"sha256\":\"" + SHA_OUT + "\"},"
                + "\"tensors\":1131,\"seconds\":41.7,\"parameterHash\":\"" + job.parameterHash() + "\"}", record.toJson());
        assertEquals(Optional.of(new MergeRecord.Stored(job.parameterHash(), SHA_OUT)),
                MergeRecord.stored(record.toJson().getBytes(StandardCharsets.UTF_8)));
        assertEquals(Optional.empty(), MergeRecord.stored("not json".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Optional.empty(), MergeRecord.stored("{\"parameterHash\": \"x\"}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aRecordNeedsADigestForEveryInput() {
        MergeJob job = MergeJob.addDifference("m", "a", "b", "c", 1, "out");

        assertEquals("inputSha256 has 2 digests: expected one for each of [a, b, c]", assertThrows(
                IllegalArgumentException.class, () -> new MergeRecord(job, List.of(SHA_A, SHA_B), 1, SHA_OUT, 1, 0))
                .getMessage());
        assertEquals("SHA-256 = ABC: expected 64 lower-case hex digits", assertThrows(IllegalArgumentException.class,
                () -> new MergeRecord(job, List.of(SHA_A, SHA_B, SHA_A), 1, "ABC", 1, 0)).getMessage());
    }
}
