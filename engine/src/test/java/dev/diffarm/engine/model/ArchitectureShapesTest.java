package dev.diffarm.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArchitectureShapesTest {
    @Test
    void unetShapesMatchTheReferenceCheckpoint() {
        assertSameTensors(ArchitectureShapes.unet(UNetConfig.fromJson(Fixtures.sdTiny("model/unet/config.json"))),
                "model/unet/diffusion_pytorch_model.safetensors");
    }

    @Test
    void vaeShapesMatchTheReferenceCheckpoint() {
        assertSameTensors(ArchitectureShapes.vae(VaeConfig.fromJson(Fixtures.sdTiny("model/vae/config.json"))),
                "model/vae/diffusion_pytorch_model.safetensors");
    }

    @Test
    void textEncoderShapesMatchTheReferenceCheckpoint() {
        assertSameTensors(ArchitectureShapes.textEncoder(TextEncoderConfig.fromJson(Fixtures.sdTiny("model/text_encoder/config.json"))),
                "model/text_encoder/model.safetensors");
    }

    private static void assertSameTensors(Map<String, long[]> shapes, String file) {
        try (SafetensorsFile f = SafetensorsFile.open(Fixtures.sdTiny(file))) {
            assertEquals(new java.util.TreeSet<>(f.names()), new java.util.TreeSet<>(shapes.keySet()), file);
            for (String name : f.names()) {
                assertArrayEquals(f.info(name).shape(), shapes.get(name), name);
            }
        }
    }
}
