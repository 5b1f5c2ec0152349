package dev.diffarm.engine.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Writes small safetensors files of zero-filled float32 tensors, to stand for checkpoints of other layouts. */
final class FakeCheckpoint {
    private FakeCheckpoint() {
    }

    static Path write(Path file, Map<String, long[]> shapes) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        long offset = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            ObjectNode entry = header.putObject(e.getKey());
            entry.put("dtype", "F32");
            ArrayNode shape = entry.putArray("shape");
            long bytes = Float.BYTES;
            for (long d : e.getValue()) {
                shape.add(d);
                bytes *= d;
            }
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] headerBytes = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + headerBytes.length + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(headerBytes.length).put(headerBytes);
        Files.write(file, out.array());
        return file;
    }
}
