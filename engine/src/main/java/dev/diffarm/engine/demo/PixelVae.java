package dev.diffarm.engine.demo;

import dev.diffarm.engine.model.ArchitectureShapes;
import dev.diffarm.engine.model.VaeConfig;
import dev.diffarm.engine.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A VAE built by hand, not trained, whose latents are the picture itself: the encoder averages each 4x4 block of
 * pixels, so latent channels 0-2 are the block's red, green and blue (in [-1, 1], after the scaling factor) and channel
 * 3 is 0; the decoder enlarges them back, smoothing as it goes. With it, what a LoRA learns on the random-weight demo
 * model shows in the demo's images as the colours and shapes it learned, which a random VAE would scramble.
 *
 * <p>How the AutoencoderKL's layers are set: every ResNet block's second convolution and the mid-block attention's
 * output projection are 0, so those blocks pass their input on unchanged (channel changes through the 1x1 shortcut as
 * an identity); the down- and upsampling convolutions average 2x2 pixels and smooth with a [1 2 1] kernel. The one
 * group norm on the way out of each half would take away a picture's mean colour, so each colour travels as a pair of
 * channels (+c, -c), scaled so small that the norm's epsilon outweighs their variance: a group's mean is then exactly
 * 0 and the norm scales by the constant 1/sqrt(epsilon). The SiLU after it is made linear by shifting its input to
 * +20, and the output convolution takes the shift off.
 */
final class PixelVae {
    /** Three levels (a latent pixel is 4x4 image pixels); 8 groups, so that the decoder's last norm pairs channels. */
    static final VaeConfig CONFIG = new VaeConfig(3, 3, 4, List.of(16, 32, 32), 1, 8, 0.18215);
    private static final float TINY = 1e-5f;
    /** 1/sqrt(epsilon) of the VAE's group norms (epsilon 1e-6). */
    private static final float NORM_GAIN = 1000f;
    private static final float SHIFT = 20f;
    private static final int COLOURS = 3;

    private PixelVae() {
    }

    /** Writes the VAE's weights ({@link #CONFIG}'s shapes) to {@code file}. */
    static void write(Path file) throws IOException {
        Map<String, long[]> shapes = ArchitectureShapes.vae(CONFIG);
        Map<String, float[]> values = new TreeMap<>();
        shapes.forEach((key, shape) -> values.put(key, new float[Math.toIntExact(count(shape))]));
        shapes.forEach((key, shape) -> {
            if (key.endsWith(".weight") && (key.contains("norm") || shape.length == 1)) {
                java.util.Arrays.fill(values.get(key), 1f);
            }
        });
        float scaling = (float) CONFIG.scalingFactor();
        // encoder: pixels as +/- pairs, passed through, 2x2 averages, then the norm, the shift and the latent mean
        pairs(values.get("encoder.conv_in.weight"), shapes.get("encoder.conv_in.weight"), TINY);
        for (int level = 0; level < CONFIG.blockOutChannels().size() - 1; level++) {
            String conv = "encoder.down_blocks." + level + ".downsamplers.0.conv.weight";
            average(values.get(conv), shapes.get(conv));
        }
        shortcuts(values, shapes);
        unshift(values, shapes, "encoder.conv_norm_out", "encoder.conv_out", 1f / scaling);
        float[] encoderOutBias = values.get("encoder.conv_out.bias");
        for (int c = CONFIG.latentChannels(); c < 2 * CONFIG.latentChannels(); c++) {
            encoderOutBias[c] = -30f; // the log-variance: the posterior's spread is e^-15, a sample is the mean
        }
        identity1x1(values.get("quant_conv.weight"), shapes.get("quant_conv.weight"));
        identity1x1(values.get("post_quant_conv.weight"), shapes.get("post_quant_conv.weight"));
        // decoder: its input is latents / scaling factor
        pairs(values.get("decoder.conv_in.weight"), shapes.get("decoder.conv_in.weight"), TINY * scaling);
        for (int level = 0; level < CONFIG.blockOutChannels().size() - 1; level++) {
            String conv = "decoder.up_blocks." + level + ".upsamplers.0.conv.weight";
            smooth(values.get(conv), shapes.get(conv));
        }
        unshift(values, shapes, "decoder.conv_norm_out", "decoder.conv_out", 1f);
        SafetensorsWriter writer = new SafetensorsWriter();
        values.forEach((key, v) -> writer.add(key, v, shapes.get(key)));
        writer.write(file);
    }

    /** Output channel 2k is {@code scale} times input channel k, output 2k+1 minus that (centre tap of a 3x3). */
    private static void pairs(float[] w, long[] shape, float scale) {
        for (int k = 0; k < COLOURS; k++) {
            w[index(shape, 2 * k, k, 1, 1)] = scale;
            w[index(shape, 2 * k + 1, k, 1, 1)] = -scale;
        }
    }

    /** The stride-2 convolution (padded right and bottom) as the mean of each 2x2 block, channel by channel. */
    private static void average(float[] w, long[] shape) {
        for (int c = 0; c < shape[0]; c++) {
            for (int ky = 0; ky < 2; ky++) {
                for (int kx = 0; kx < 2; kx++) {
                    w[index(shape, c, c, ky, kx)] = 0.25f;
                }
            }
        }
    }

    /** After the nearest-neighbour doubling: a [1 2 1] x [1 2 1] / 16 smoothing, channel by channel. */
    private static void smooth(float[] w, long[] shape) {
        float[] taps = {0.25f, 0.5f, 0.25f};
        for (int c = 0; c < shape[0]; c++) {
            for (int ky = 0; ky < 3; ky++) {
                for (int kx = 0; kx < 3; kx++) {
                    w[index(shape, c, c, ky, kx)] = taps[ky] * taps[kx];
                }
            }
        }
    }

    /** Every 1x1 shortcut convolution (where a ResNet block changes its channel count) keeps the first channels. */
    private static void shortcuts(Map<String, float[]> values, Map<String, long[]> shapes) {
        shapes.forEach((key, shape) -> {
            if (key.endsWith("conv_shortcut.weight")) {
                identity1x1(values.get(key), shape);
            }
        });
    }

    private static void identity1x1(float[] w, long[] shape) {
        for (int c = 0; c < Math.min(shape[0], shape[1]); c++) {
            w[index(shape, c, c, 0, 0)] = 1f;
        }
    }

    /**
     * The norm scales the pairs back to the colour and shifts them to +{@link #SHIFT} (where SiLU is the identity to
     * 1e-8); the output convolution takes channel 2k times {@code gain} and removes the shift.
     */
    private static void unshift(Map<String, float[]> values, Map<String, long[]> shapes, String norm, String out,
                                float gain) {
        float[] gamma = values.get(norm + ".weight");
        float[] beta = values.get(norm + ".bias");
        for (int c = 0; c < 2 * COLOURS; c++) {
            gamma[c] = 1f / (TINY * NORM_GAIN);
            beta[c] = SHIFT;
        }
        long[] shape = shapes.get(out + ".weight");
        float[] w = values.get(out + ".weight");
        float[] bias = values.get(out + ".bias");
        for (int k = 0; k < COLOURS; k++) {
            w[index(shape, k, 2 * k, 1, 1)] = gain;
            bias[k] = -SHIFT * gain;
        }
    }

    private static int index(long[] shape, int out, int in, int y, int x) {
        long kh = shape.length > 2 ? shape[2] : 1;
        long kw = shape.length > 3 ? shape[3] : 1;
        return Math.toIntExact(((out * shape[1] + in) * kh + y) * kw + x);
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
