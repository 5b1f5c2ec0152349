package dev.diffarm.engine.pipeline;

/**
 * AUTOMATIC1111's latent hires upscalers ({@code modules/shared.py latent_upscale_modes}), each a
 * {@code torch.nn.functional.interpolate} mode without antialiasing, computed here on the heap.
 */
public enum LatentUpscaler implements HiresUpscaler {
    /** {@code mode="bilinear", align_corners=False}. */
    BILINEAR("Latent") {
        @Override
        float[] resizeLine(float[] in, int count, int stride, int offset, int out) {
            float[] result = new float[out];
            double scale = (double) count / out;
            for (int d = 0; d < out; d++) {
                double src = Math.max((d + 0.5) * scale - 0.5, 0);
                int i0 = (int) src;
                int i1 = Math.min(i0 + 1, count - 1);
                float w1 = (float) (src - i0);
                result[d] = (1 - w1) * in[offset + i0 * stride] + w1 * in[offset + i1 * stride];
            }
            return result;
        }
    },
    /** {@code mode="nearest"}: source index {@code floor(d * in / out)}. */
    NEAREST("Latent (nearest)") {
        @Override
        float[] resizeLine(float[] in, int count, int stride, int offset, int out) {
            return nearest(in, count, stride, offset, out, 0);
        }
    },
    /** {@code mode="nearest-exact"}: source index {@code floor((d + 0.5) * in / out)}. */
    NEAREST_EXACT("Latent (nearest-exact)") {
        @Override
        float[] resizeLine(float[] in, int count, int stride, int offset, int out) {
            return nearest(in, count, stride, offset, out, 0.5);
        }
    };

    private final String label;

    LatentUpscaler(String label) {
        this.label = label;
    }

    /** The name A1111 shows and writes in {@code Hires upscaler:}. */
    @Override
    public String label() {
        return label;
    }

    /**
     * The upscaler A1111 names {@code name}, case ignored.
     *
     * @throws IllegalArgumentException for another name, listing the known ones
     */
    public static LatentUpscaler named(String name) {
        return Labels.find(values(), LatentUpscaler::label, LatentUpscaler::label, name, "hires upscaler");
    }

    /** Each output {@code d} the input at {@code floor((d + shift) * count / out)}. */
    private static float[] nearest(float[] in, int count, int stride, int offset, int out, double shift) {
        float[] result = new float[out];
        for (int d = 0; d < out; d++) {
            result[d] = in[offset + Math.min((int) Math.floor((d + shift) * ((double) count / out)), count - 1) * stride];
        }
        return result;
    }

    /** One line of {@code count} values, {@code stride} apart from {@code offset}, resized to {@code out}. */
    abstract float[] resizeLine(float[] in, int count, int stride, int offset, int out);

    /**
     * Latents [n, c, h, w] (row-major) resized to [n, c, outH, outW], columns first then rows, as the separable
     * interpolation of PyTorch computes them.
     */
    float[] resize(float[] latents, long[] shape, int outH, int outW) {
        int planes = Math.toIntExact(shape[0] * shape[1]);
        int h = Math.toIntExact(shape[2]);
        int w = Math.toIntExact(shape[3]);
        float[] wide = new float[planes * h * outW];
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(resizeLine(latents, w, 1, (p * h + y) * w, outW), 0, wide, (p * h + y) * outW, outW);
            }
        }
        float[] out = new float[planes * outH * outW];
        for (int p = 0; p < planes; p++) {
            for (int x = 0; x < outW; x++) {
                float[] column = resizeLine(wide, h, outW, p * h * outW + x, outH);
                for (int y = 0; y < outH; y++) {
                    out[(p * outH + y) * outW + x] = column[y];
                }
            }
        }
        return out;
    }
}
