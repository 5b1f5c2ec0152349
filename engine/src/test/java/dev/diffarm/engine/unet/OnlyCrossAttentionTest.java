package dev.diffarm.engine.unet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.engine.model.ArchitectureShapes;
import dev.diffarm.engine.model.FreshWeights;
import dev.diffarm.engine.model.ModelLoadException;
import dev.diffarm.engine.model.UNetConfig;
import dev.diffarm.engine.model.Weights;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code only_cross_attention} (the SD x4 upscaler's {@code [true, true, true, false]}): the
 * first attention of a flagged level's transformers takes the text as keys and values, on the down level and on the
 * up level that mirrors it. The text here is narrower (24) than the image (32), so a flag on the wrong level makes
 * {@code attn1.to_k} meet an input of the wrong width and the forward fails.
 */
class OnlyCrossAttentionTest {
    private static final int TEXT_WIDTH = 24;

    private static UNetConfig config(List<Boolean> onlyCross) {
        return new UNetConfig(7, 4, List.of(32, 32), List.of("CrossAttnDownBlock2D", "DownBlock2D"),
                List.of("UpBlock2D", "CrossAttnUpBlock2D"), 1, List.of(4, 4), TEXT_WIDTH, 32, 1e-5, true, 0, 10,
                false, onlyCross);
    }

    @Test
    void flaggedLevelsAttendToTheTextOnTheWayDownAndUp() {
        UNetConfig flagged = config(List.of(true, false));
        assertArrayEquals(new long[] {32, TEXT_WIDTH},
                ArchitectureShapes.unet(flagged).get("down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_k.weight"));
        assertArrayEquals(new long[] {32, TEXT_WIDTH},
                ArchitectureShapes.unet(flagged).get("up_blocks.1.attentions.1.transformer_blocks.0.attn1.to_k.weight"));
        assertArrayEquals(new long[] {32, 32},
                ArchitectureShapes.unet(flagged).get("mid_block.attentions.0.transformer_blocks.0.attn1.to_k.weight"));
        try (NDManager manager = NDManager.newBaseManager()) {
            UNet2DConditionModel unet = new UNet2DConditionModel(
                    new Weights(new FreshWeights(ArchitectureShapes.unet(flagged), 1.0, "only-cross UNet"), manager),
                    flagged);
            NDArray x = manager.randomNormal(new Shape(2, 7, 8, 8));
            NDArray text = manager.randomNormal(new Shape(2, 5, TEXT_WIDTH));
            NDArray out = unet.forward(x, 500f, text, 3);
            assertArrayEquals(new long[] {2, 4, 8, 8}, out.getShape().getShape());
            for (float v : out.toFloatArray()) {
                assertTrue(Float.isFinite(v), "finite output");
            }
        }
    }

    @Test
    void aFlagOnALevelWhoseWeightsAttendToTheImageFails() {
        UNetConfig flagged = config(List.of(true, false));
        UNetConfig plain = config(List.of(false, false));
        try (NDManager manager = NDManager.newBaseManager()) {
            UNet2DConditionModel mismatched = new UNet2DConditionModel(
                    new Weights(new FreshWeights(ArchitectureShapes.unet(plain), 1.0, "plain UNet"), manager), flagged);
            NDArray x = manager.randomNormal(new Shape(1, 7, 8, 8));
            NDArray text = manager.randomNormal(new Shape(1, 5, TEXT_WIDTH));
            assertThrows(RuntimeException.class, () -> mismatched.forward(x, 500f, text, 3).toFloatArray(),
                    "attn1 was built for the image's 32 channels, the text has 24");
        }
    }
}
