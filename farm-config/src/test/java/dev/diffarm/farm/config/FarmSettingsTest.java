package dev.diffarm.farm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FarmSettingsTest {
    @Test
    void withNothingConfiguredTheFarmIsEmbeddedUnderTheHomeFolder() {
        FarmSettings settings = FarmSettings.from(Map.of("HOME", "/home/ada"));

        assertTrue(settings.isEmbedded());
        assertEquals(Optional.empty(), settings.kafka());
        assertEquals(Optional.empty(), settings.s3());
        assertEquals(FarmSettings.Topics.DEFAULT, settings.topics());
        assertEquals(new FarmSettings.Topics("diffarm.jobs", "diffarm.events", "diffarm.jobs.dlq", "diffarm.chunks"), settings.topics());
        assertEquals(Path.of("/home/ada/.diffarm/models"), settings.modelsDir());
        assertEquals(Path.of("/home/ada/.diffarm/plugins"), settings.pluginsDir());
        assertEquals(Path.of("/home/ada/.diffarm/loras"), settings.loraDir());
        assertEquals(Path.of("/home/ada/.diffarm/embeddings"), settings.embeddingsDir());
        assertEquals(Path.of("/home/ada/.diffarm/controlnet"), settings.controlnetsDir());
        assertEquals(Path.of("/home/ada/.diffarm/local/queue"), settings.localQueueDir());
        assertEquals(Path.of("/home/ada/.diffarm/local/outputs"), settings.localOutputDir());
    }

    @Test
    void everyVariableIsRead() {
        FarmSettings settings = FarmSettings.from(Map.ofEntries(
                Map.entry("DIFFARM_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092,broker-2:9093"),
                Map.entry("DIFFARM_S3_ENDPOINT", "http://127.0.0.1:9000"),
                Map.entry("DIFFARM_S3_ACCESS_KEY", "farm"),
                Map.entry("DIFFARM_S3_SECRET_KEY", "s3cr3t"),
                Map.entry("DIFFARM_S3_BUCKET", "renders"),
                Map.entry("DIFFARM_MODELS_DIR", "/models"),
                Map.entry("DIFFARM_PLUGINS_DIR", "/plugins"),
                Map.entry("DIFFARM_LORA_DIR", "/loras"),
                Map.entry("DIFFARM_EMBEDDINGS_DIR", "/embeddings"),
                Map.entry("DIFFARM_CONTROLNETS_DIR", "/controlnet"),
                Map.entry("DIFFARM_LOCAL_DIR", "/var/diffarm")));

        assertFalse(settings.isEmbedded());
        assertEquals(Optional.of(new FarmSettings.Kafka("127.0.0.1:9092,broker-2:9093")), settings.kafka());
        assertEquals(Optional.of(new FarmSettings.S3(URI.create("http://127.0.0.1:9000"), "farm", "s3cr3t", "renders")),
                settings.s3());
        assertEquals(Path.of("/models"), settings.modelsDir());
        assertEquals(Path.of("/plugins"), settings.pluginsDir());
        assertEquals(Path.of("/loras"), settings.loraDir());
        assertEquals(Path.of("/embeddings"), settings.embeddingsDir());
        assertEquals(Path.of("/controlnet"), settings.controlnetsDir());
        assertEquals(Path.of("/var/diffarm/queue"), settings.localQueueDir());
        assertFalse(settings.toString().contains("s3cr3t"), settings.toString());
    }

    @Test
    void kafkaAndS3AreIndependentAndEmptyValuesCountAsUnset() {
        FarmSettings kafkaOnly = FarmSettings.from(Map.of("DIFFARM_KAFKA_BOOTSTRAP_SERVERS", "localhost:9092",
                "DIFFARM_S3_ENDPOINT", " ", "DIFFARM_HOME", "/srv/farm"));

        assertTrue(kafkaOnly.kafka().isPresent());
        assertEquals(Optional.empty(), kafkaOnly.s3());
        assertFalse(kafkaOnly.isEmbedded());
        assertEquals(Path.of("/srv/farm/local/outputs"), kafkaOnly.localOutputDir());
        assertEquals("diffarm", FarmSettings.from(Map.of("DIFFARM_S3_ENDPOINT", "https://s3.example.com",
                "DIFFARM_S3_ACCESS_KEY", "a", "DIFFARM_S3_SECRET_KEY", "b")).s3().orElseThrow().bucket());
    }

    @Test
    void badValuesAreAllNamedWithWhatWasExpected() {
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> FarmSettings.from(Map.of(
                "DIFFARM_KAFKA_BOOTSTRAP_SERVERS", "localhost",
                "DIFFARM_S3_ENDPOINT", "127.0.0.1:9000",
                "DIFFARM_S3_SECRET_KEY", "hidden",
                "DIFFARM_S3_BUCKET", "My_Bucket")));

        assertEquals(String.join("\n",
                "DIFFARM_KAFKA_BOOTSTRAP_SERVERS = \"localhost\": expected host:port[,host:port...], such as 127.0.0.1:9092",
                "DIFFARM_S3_ENDPOINT = \"127.0.0.1:9000\": expected http://host[:port] or https://host[:port], such as http://127.0.0.1:9000",
                "DIFFARM_S3_ACCESS_KEY is missing: expected the access key of DIFFARM_S3_ENDPOINT",
                "DIFFARM_S3_BUCKET = \"My_Bucket\": expected an S3 bucket name, 3 to 63 lower-case letters, digits, '.' or '-', "
                        + "starting and ending with a letter or digit"), thrown.getMessage());
        assertFalse(thrown.getMessage().contains("hidden"));
    }

    @Test
    void anS3EndpointIsTheServersRootOnly() {
        for (String endpoint : List.of("http://127.0.0.1:9000/s3", "http://127.0.0.1:9000?region=x",
                "http://user@127.0.0.1:9000", "http://127.0.0.1:9000/#top", "s3://bucket")) {
            IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> FarmSettings.from(Map.of(
                    "DIFFARM_S3_ENDPOINT", endpoint, "DIFFARM_S3_ACCESS_KEY", "a", "DIFFARM_S3_SECRET_KEY", "b")), endpoint);
            assertEquals("DIFFARM_S3_ENDPOINT = \"" + endpoint + "\": expected http://host[:port] or https://host[:port], "
                    + "such as http://127.0.0.1:9000", thrown.getMessage());
        }
        assertEquals(URI.create("http://127.0.0.1:9000/"), FarmSettings.from(Map.of("DIFFARM_S3_ENDPOINT",
                "http://127.0.0.1:9000/", "DIFFARM_S3_ACCESS_KEY", "a", "DIFFARM_S3_SECRET_KEY", "b")).s3().orElseThrow().endpoint());
    }

    @Test
    void s3VariablesWithoutAnEndpointAreRefusedNotIgnored() {
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> FarmSettings.from(Map.of(
                "DIFFARM_S3_ENDPIONT", "http://127.0.0.1:9000", "DIFFARM_S3_BUCKET", "renders")));

        assertEquals("DIFFARM_S3_BUCKET is set but DIFFARM_S3_ENDPOINT is not: expected DIFFARM_S3_ENDPOINT too, "
                + "or neither for the local output folder", thrown.getMessage());
    }
}
