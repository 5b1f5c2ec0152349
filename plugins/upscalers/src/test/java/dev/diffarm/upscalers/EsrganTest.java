package dev.diffarm.upscalers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.api.upscale.UpscaleNetwork;
import dev.diffarm.api.upscale.UpscalerWeights;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The ESRGAN architecture on small random weights: key layouts, the scale read from the weights, strict loading. */
class EsrganTest {
    private static final int FEATURES = 4;
    private static final int GROW = 2;
    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** BasicSR's keys for one block, {@code ups} upsamplers and {@code inputs} conv_first inputs. */
    private static Map<String, NDArray> basicSr(int inputs, int ups) {
        Map<String, NDArray> t = new LinkedHashMap<>();
        conv(t, "conv_first", inputs, FEATURES);
        for (int k = 1; k <= 3; k++) {
            for (int j = 1; j <= 5; j++) {
                conv(t, "body.0.rdb" + k + ".conv" + j, FEATURES + (j - 1) * GROW, j == 5 ? FEATURES : GROW);
            }
        }
        conv(t, "conv_body", FEATURES, FEATURES);
        for (int i = 1; i <= ups; i++) {
            conv(t, "conv_up" + i, FEATURES, FEATURES);
        }
        conv(t, "conv_hr", FEATURES, FEATURES);
        conv(t, "conv_last", FEATURES, 3);
        return t;
    }

    private static void conv(Map<String, NDArray> t, String name, int in, int out) {
        t.put(name + ".weight", manager.randomNormal(0, 0.1f, new Shape(out, in, 3, 3), ai.djl.ndarray.types.DataType.FLOAT32));
        t.put(name + ".bias", manager.randomNormal(0, 0.1f, new Shape(out), ai.djl.ndarray.types.DataType.FLOAT32));
    }

    private static UpscaleNetwork load(Map<String, NDArray> tensors) {
        return new Esrgan().load(new UpscalerWeights("test", tensors, Map.of()));
    }

    @Test
    void theScaleComesFromTheUpsamplersAndTheUnshuffle() {
        assertEquals(4, load(basicSr(3, 2)).scale());
        assertEquals(2, load(basicSr(12, 2)).scale());
        assertEquals(1, load(basicSr(48, 2)).scale());
        assertEquals(8, load(basicSr(3, 3)).scale());
    }

    @Test
    void anX2ModelTakesOddSizesByReflectPadding() {
        UpscaleNetwork x2 = load(basicSr(12, 2));
        try (NDManager tile = manager.newSubManager()) {
            NDArray out = x2.forward(tile.randomUniform(0, 1, new Shape(1, 3, 5, 7)));
            assertArrayEquals(new long[] {1, 3, 10, 14}, out.getShape().getShape());
        }
    }

    @Test
    void theOriginalLayoutMapsOntoBasicSrs() {
        Map<String, NDArray> basic = basicSr(3, 2);
        Map<String, NDArray> original = new LinkedHashMap<>();
        basic.forEach((key, value) -> original.put(originalKey(key), value));
        Map<String, NDArray> mapped = EsrganKeys.toBasicSr(original);
        assertEquals(new TreeSet<>(basic.keySet()), new TreeSet<>(mapped.keySet()));
        mapped.forEach((key, value) -> assertTrue(basic.get(key) == value, key));
        try (NDManager tile = manager.newSubManager()) {
            NDArray x = tile.randomUniform(0, 1, new Shape(1, 3, 4, 4));
            assertArrayEquals(load(basic).forward(x).toFloatArray(), load(original).forward(x).toFloatArray());
        }
    }

    /** The original ESRGAN key of a BasicSR key (one block, two upsamplers). */
    private static String originalKey(String key) {
        String param = key.substring(key.lastIndexOf('.'));
        String layer = key.substring(0, key.lastIndexOf('.'));
        if (layer.startsWith("body.")) {
            String[] p = layer.split("\\.");
            return "model.1.sub." + p[1] + ".RDB" + p[2].substring(3) + "." + p[3] + ".0" + param;
        }
        return switch (layer) {
            case "conv_first" -> "model.0";
            case "conv_body" -> "model.1.sub.1";
            case "conv_up1" -> "model.3";
            case "conv_up2" -> "model.6";
            case "conv_hr" -> "model.8";
            default -> "model.10";
        } + param;
    }

    @Test
    void misplacedOriginalLayersAreNamed() {
        Map<String, NDArray> original = new LinkedHashMap<>();
        basicSr(3, 2).forEach((key, value) -> original.put(originalKey(key).replace("model.6.", "model.7."), value));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EsrganKeys.toBasicSr(original));
        assertEquals("an ESRGAN model in the original layout with 2 upsamplers has its layers at model.[3, 6, 8, 10], "
                + "this one at model.[3, 7, 8, 10]", e.getMessage());
    }

    @Test
    void anUnusedOrMisshapenTensorIsRefusedByName() {
        Map<String, NDArray> extra = basicSr(3, 2);
        extra.put("conv_extra.weight", manager.zeros(new Shape(1)));
        assertEquals("upscaler model test: tensors not used by an RRDBNet: [conv_extra.weight]",
                assertThrows(IllegalArgumentException.class, () -> load(extra)).getMessage());

        Map<String, NDArray> misshapen = basicSr(3, 2);
        misshapen.put("conv_hr.bias", manager.zeros(new Shape(5)));
        assertEquals("upscaler model test: conv_hr.bias has shape (5), expected (4)",
                assertThrows(IllegalArgumentException.class, () -> load(misshapen)).getMessage());
    }

    @Test
    void otherWeightsAreNotEsrgan() {
        UpscalerWeights unet = new UpscalerWeights("unet", Map.of("conv_in.weight", manager.zeros(new Shape(1))),
                Map.of());
        assertTrue(new Esrgan().mismatch(unet).orElseThrow().startsWith("no conv_first.weight"));
        assertThrows(IllegalArgumentException.class, () -> new Esrgan().load(unet));
    }
}
