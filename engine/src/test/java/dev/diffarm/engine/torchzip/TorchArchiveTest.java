package dev.diffarm.engine.torchzip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** torch.save files read as data: what they hold comes back, anything that would run code is refused by name. */
class TorchArchiveTest {
    @TempDir
    Path dir;

    @Test
    void readsA1111EmbeddingFile() {
        try (TorchArchive archive = TorchArchive.open(Fixtures.sdTiny("zwx-style.pt"));
             SafetensorsFile same = SafetensorsFile.open(Fixtures.sdTiny("zwx-style.safetensors"))) {
            Map<?, ?> root = (Map<?, ?>) archive.root();
            assertEquals("zwx-style", root.get("name"));
            assertEquals(1000L, root.get("step"));
            assertEquals(Map.of("*", 265L), root.get("string_to_token"));
            assertEquals(null, root.get("sd_checkpoint"));
            TorchTensor tensor = (TorchTensor) ((Map<?, ?>) root.get("string_to_param")).get("*");
            assertArrayEquals(new long[] {2, 32}, tensor.shape());
            assertArrayEquals(same.floats("emb_params"), archive.floats(tensor));
        }
    }

    private static byte[] floats(float... values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            bytes.putFloat(v);
        }
        return bytes.array();
    }

    private TorchTensor onlyTensor(TorchArchive archive) {
        return (TorchTensor) ((Map<?, ?>) archive.root()).get("t");
    }

    private byte[] dictWithTensor(String storageType, int numel, int offset, int[] shape, int[] stride) {
        return new Pickles().protocol2().emptyDict().mark().string("t")
                .tensor(storageType, "0", numel, offset, shape, stride).setItems().stop().bytes();
    }

    @Test
    void stridedViewIsGatheredInRowMajorOrder() throws IOException {
        byte[] pickle = dictWithTensor("FloatStorage", 6, 1, new int[] {2, 2}, new int[] {1, 2});
        Path file = Pickles.zip(dir.resolve("view.pt"), pickle, Map.of("0", floats(0, 1, 2, 3, 4, 5)));
        try (TorchArchive archive = TorchArchive.open(file)) {
            assertArrayEquals(new float[] {1, 3, 2, 4}, archive.floats(onlyTensor(archive)));
        }
    }

    @Test
    void halfPrecisionIsWidened() throws IOException {
        byte[] pickle = dictWithTensor("HalfStorage", 2, 0, new int[] {1, 2}, new int[] {2, 1});
        byte[] halves = {0x00, 0x3c, 0x00, (byte) 0xc0}; // 1.0, -2.0
        Path file = Pickles.zip(dir.resolve("half.pt"), pickle, Map.of("0", halves));
        try (TorchArchive archive = TorchArchive.open(file)) {
            assertArrayEquals(new float[] {1f, -2f}, archive.floats(onlyTensor(archive)));
        }
    }

    @Test
    void viewOutsideItsStorageIsRefused() throws IOException {
        byte[] pickle = dictWithTensor("FloatStorage", 2, 1, new int[] {2, 2}, new int[] {2, 1});
        Path file = Pickles.zip(dir.resolve("outside.pt"), pickle, Map.of("0", floats(0, 1)));
        try (TorchArchive archive = TorchArchive.open(file)) {
            TorchFileException e = assertThrows(TorchFileException.class, () -> archive.floats(onlyTensor(archive)));
            assertTrue(e.getMessage().contains("storage"), e.getMessage());
        }
    }

    private String refusal(byte[] pickle) throws IOException {
        Path file = Pickles.zip(dir.resolve("bad.pt"), pickle, Map.of());
        return assertThrows(TorchFileException.class, () -> TorchArchive.open(file).close()).getMessage();
    }

    @Test
    void codeExecutionIsRefusedNamingTheGlobal() throws IOException {
        byte[] systemCall = new Pickles().protocol2().global("os", "system").mark().string("touch /tmp/x").tuple()
                .reduce().stop().bytes();
        String message = refusal(systemCall);
        assertTrue(message.contains("refused") && message.contains("'os.system'"), message);
        byte[] parameterDict = new Pickles().protocol2().global("torch.nn.modules.container", "ParameterDict")
                .emptyTuple().reduce().stop().bytes();
        message = refusal(parameterDict);
        assertTrue(message.contains("'torch.nn.modules.container.ParameterDict'"), message);
    }

    @Test
    void storageTypeCannotBeCalled() throws IOException {
        byte[] call = new Pickles().protocol2().global("torch", "FloatStorage").emptyTuple().reduce().stop().bytes();
        assertTrue(refusal(call).contains("refused: the pickle calls"), "storage classes are types, not callables");
    }

    @Test
    void opcodesTorchDoesNotWriteAreRefused() throws IOException {
        byte[] inst = new Pickles().protocol2().raw('i').stop().bytes();
        String message = refusal(inst);
        assertTrue(message.contains("opcode 0x69"), message);
    }

    @Test
    void truncatedPickleIsReported() throws IOException {
        byte[] truncated = new Pickles().protocol2().emptyDict().mark().string("t").bytes();
        assertTrue(refusal(truncated).contains("truncated or malformed"));
    }

    @Test
    void otherFilesAreNotTorchZipFiles() throws IOException {
        Path notZip = Files.writeString(dir.resolve("legacy.pt"), "not a zip");
        String message = assertThrows(TorchFileException.class, () -> TorchArchive.open(notZip)).getMessage();
        assertTrue(message.contains("not a torch zip file"), message);
    }
}
