package dev.diffarm.engine.schedule;

/**
 * {@code torch.linspace(start, end, steps, dtype=torch.float32)} as PyTorch's CPU kernel computes it (the
 * AVX-512 build, which fused multiply-adds): the first half counts up from {@code start}, the second half down
 * from {@code end}, and within each 16-lane vector the values count up from the vector's first value. Other
 * roundings move single betas by one float32 ulp; this one gives the references' sigmas bit for bit.
 */
final class TorchLinspace {
    private static final int LANES = 16;

    private TorchLinspace() {
    }

    static float[] float32(double start, double end, int steps) {
        float first = (float) start;
        float last = (float) end;
        float[] values = new float[steps];
        if (steps == 1) {
            values[0] = first;
            return values;
        }
        float step = (last - first) / (steps - 1);
        int i = 0;
        // The kernel handles two vectors per iteration and leaves the remainder to the scalar loop.
        for (; i <= steps - 2 * LANES; i += 2 * LANES) {
            fillVector(values, i, step, first, last);
            fillVector(values, i + LANES, step, first, last);
        }
        for (; i < steps; i++) {
            values[i] = scalar(i, steps, step, first, last);
        }
        return values;
    }

    private static void fillVector(float[] values, int from, float step, float first, float last) {
        float base = scalar(from, values.length, step, first, last);
        for (int lane = 0; lane < LANES; lane++) {
            values[from + lane] = Math.fma(lane, step, base);
        }
    }

    private static float scalar(int index, int steps, float step, float first, float last) {
        return index < steps / 2
                ? Math.fma(step, index, first)
                : Math.fma(-step, steps - index - 1, last);
    }
}
