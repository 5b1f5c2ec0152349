package dev.diffarm.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PixelCodecTest {
    /**
     * Expected bytes computed with numpy as diffusers does, {@code (np.clip(x, 0, 1) * 255).round()
     * .astype("uint8")} on float32: the products 2.5, 1.5, 126.5, 0.5, 254.5, 178.5 and 76.5 are exact
     * in float32 and round half to even, where Math.round would give 3, 2, 127, 1, 255, 179 and 77.
     */
    @Test
    void floatToByteMatchesNumpyToPil() {
        float[] x = {0f, 1f, 0.5f, -0.25f, 1.5f, 0.009803921915590763f, 0.0058823530562222f, 0.4960784316062927f,
                0.0019607844296842813f, 0.9980000257492065f, 0.998039186000824f, 0.699999988079071f, 0.30000001192092896f};
        int[] numpy = {0, 255, 128, 0, 255, 2, 2, 126, 0, 254, 254, 178, 76};
        for (int i = 0; i < x.length; i++) {
            assertEquals(numpy[i], PixelCodec.toByte(x[i]), "x = " + x[i]);
        }
    }

    @Test
    void byteToFloatIsTheFloat32Quotient() {
        assertEquals(0f, PixelCodec.toFloat(0));
        assertEquals(1f, PixelCodec.toFloat(255));
        assertEquals(0.5019608f, PixelCodec.toFloat(128));
        for (int v = 0; v < 256; v++) {
            assertEquals(v, PixelCodec.toByte(PixelCodec.toFloat(v)), "a byte survives the round trip");
        }
    }
}
