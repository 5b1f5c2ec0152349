package dev.diffarm.daemon.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class S3TransportTest {
    @TempDir
    Path dir;

    @Test
    void checksTheRegionAndTheCaFile() throws Exception {
        assertEquals("us-east-1", S3Transport.DEFAULTS.region());
        assertTrue(S3Transport.DEFAULTS.trust().isEmpty(), "the JVM's CAs without a CA file");
        assertEquals("DIFFARM_S3_REGION = EU Central: expected a region name such as us-east-1 or eu-central-1",
                assertThrows(IllegalArgumentException.class, () -> new S3Transport("EU Central", Optional.empty()))
                        .getMessage());
        assertEquals("DIFFARM_S3_CA_FILE = " + dir.resolve("none.pem") + ": no readable file",
                assertThrows(IllegalArgumentException.class,
                        () -> new S3Transport("eu-central-1", Optional.of(dir.resolve("none.pem")))).getMessage());
        Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new S3Transport("eu-central-1", Optional.of(notPem))
                .trust()).getMessage().startsWith("DIFFARM_S3_CA_FILE = " + notPem + ": not PEM certificates"));
    }
}
