package dev.diffarm.engine.safetensors;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every malformed file is refused with a SafetensorsException naming the file and the tensor; none crashes. */
class MalformedSafetensorsTest {
    private static final byte[] FOUR_FLOATS = RawSafetensors.floats(1, 2, 3, 4);

    @TempDir
    Path dir;

    static Stream<Arguments> malformedHeaders() {
        return Stream.of(
                Arguments.of("offsets outside the file",
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[250],\"data_offsets\":[0,1000]}}", FOUR_FLOATS,
                        List.of("'w'", "[0,1000]", "outside the data section of 16 bytes")),
                Arguments.of("overlapping tensors",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", FOUR_FLOATS,
                        List.of("'a'", "'b'", "overlap", "bytes 4..8")),
                Arguments.of("a tensor inside another",
                        "{\"outer\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                                + "\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                                + "\"inner\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", FOUR_FLOATS,
                        List.of("'outer'", "overlap")),
                Arguments.of("header not JSON", "this is not JSON", FOUR_FLOATS, List.of("not valid JSON")),
                Arguments.of("header JSON but not an object", "[1, 2]", FOUR_FLOATS, List.of("not a JSON object")),
                Arguments.of("size of dtype and shape differs from the byte range",
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", FOUR_FLOATS,
                        List.of("'w'", "F32 [3] needs 12 bytes", "span 16")),
                Arguments.of("unknown dtype",
                        "{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[16],\"data_offsets\":[0,16]}}", FOUR_FLOATS,
                        List.of("'w'", "unsupported dtype \"F8_E4M3\"")),
                Arguments.of("negative dimension",
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1,4],\"data_offsets\":[0,16]}}", FOUR_FLOATS,
                        List.of("'w'", "invalid dimension -1")),
                Arguments.of("fractional dimension",
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,16]}}", FOUR_FLOATS,
                        List.of("'w'", "invalid dimension 2.5")),
                Arguments.of("dimensions whose product overflows",
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,16]}}",
                        FOUR_FLOATS, List.of("'w'", "too large")),
                Arguments.of("offsets as strings",
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[\"0\",\"16\"]}}", FOUR_FLOATS,
                        List.of("'w'", "outside the data section")),
                Arguments.of("entry without data_offsets", "{\"w\":{\"dtype\":\"F32\",\"shape\":[4]}}", FOUR_FLOATS,
                        List.of("'w'", "needs dtype, shape and data_offsets")),
                Arguments.of("a name given twice",
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", FOUR_FLOATS,
                        List.of("Duplicate field 'w'")),
                Arguments.of("metadata that is not strings", "{\"__metadata__\":{\"epochs\":3}}", FOUR_FLOATS,
                        List.of("'epochs' must be a string")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedHeaders")
    void malformedHeaderIsRefusedWithAPreciseMessage(String what, String header, byte[] data, List<String> named)
            throws IOException {
        Path file = RawSafetensors.write(dir.resolve("bad.safetensors"), header, data);
        assertRefused(file, named);
    }

    @Test
    void truncatedDataSectionNamesTheTensorThatNoLongerFits() throws IOException {
        Path file = dir.resolve("cut.safetensors");
        new SafetensorsWriter().add("first", new float[] {1, 2, 3, 4}, 4).add("second", new float[] {5, 6, 7, 8}, 4)
                .write(file);
        truncate(file, Files.size(file) - 10);
        assertRefused(file, List.of("'second'", "[16,32]", "outside the data section of 22 bytes", "truncated"));
    }

    @Test
    void fileCutInsideTheHeaderIsRefused() throws IOException {
        Path file = dir.resolve("cut.safetensors");
        new SafetensorsWriter().add("w", new float[] {1, 2, 3, 4}, 4).write(file);
        truncate(file, 20);
        assertRefused(file, List.of("is impossible for a file of 20 bytes", "truncated"));
    }

    @Test
    void fileShorterThanTheLengthFieldIsRefused() throws IOException {
        Path file = Files.write(dir.resolve("tiny.safetensors"), new byte[] {1, 2, 3});
        assertRefused(file, List.of("3 bytes, shorter than the 8-byte header length"));
    }

    @Test
    void absurdHeaderLengthsAreRefusedWithoutAllocating() throws IOException {
        Path huge = RawSafetensors.write(dir.resolve("huge.safetensors"), 1L << 62, "{}", FOUR_FLOATS);
        assertRefused(huge, List.of("header length 4611686018427387904 is impossible"));
        Path negative = RawSafetensors.write(dir.resolve("negative.safetensors"), -8, "{}", FOUR_FLOATS);
        assertRefused(negative, List.of("header length 18446744073709551608 is impossible"));
    }

    @Test
    void headerThatIsNotUtf8IsRefused() throws IOException {
        Path file = Files.write(dir.resolve("latin1.safetensors"), new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '"', (byte) 0xff, '"', ':', '1', '}', ' '});
        assertRefused(file, List.of("not UTF-8"));
    }

    private static void assertRefused(Path file, List<String> named) {
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(file).close());
        String message = e.getMessage();
        System.out.println("refused: " + message);
        assertTrue(message.contains(file.toString()), "message names the file: " + message);
        for (String part : named) {
            assertTrue(message.contains(part), "message should contain <" + part + ">: " + message);
        }
    }

    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
    }
}
