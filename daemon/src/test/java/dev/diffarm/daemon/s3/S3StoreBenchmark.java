package dev.diffarm.daemon.s3;

import dev.diffarm.daemon.services.LocalServices;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.farm.config.FarmSettings;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * Latency of the S3 store's put, get and exists for one PNG of about 100 KB (an image of noise, so that PNG
 * cannot shrink it), one request at a time, as the job lifecycle sends them. Runs against the S3 server of
 * {@code DIFFARM_S3_*} when set, else starts scripts/services on free ports; writes into a new bucket.
 * Run with {@code scripts/bench-farm-s3 [rounds]} (default 50).
 */
public final class S3StoreBenchmark {
    private static final int WARM_UP = 20;

    private S3StoreBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        FarmSettings.S3 server = FarmSettings.fromEnvironment().s3().orElseGet(() ->
                LocalServices.get().settings(Path.of(System.getProperty("user.home"))).s3().orElseThrow());
        FarmSettings.S3 settings = new FarmSettings.S3(server.endpoint(), server.accessKey(), server.secretKey(),
                "bench-" + System.currentTimeMillis());
        byte[] png = noisePng(185);
        try (S3OutputStore store = new S3OutputStore(settings)) {
            store.check();
            for (int i = 0; i < WARM_UP; i++) {
                store.put("warm-up/t" + i + ".png", png, "image/png");
                store.get("warm-up/t" + i + ".png").orElseThrow();
            }
            long[] puts = new long[rounds];
            long[] gets = new long[rounds];
            long[] heads = new long[rounds];
            for (int i = 0; i < rounds; i++) {
                String key = "jobs/bench/t%04d.png".formatted(i);
                long start = System.nanoTime();
                store.put(key, png, "image/png");
                puts[i] = System.nanoTime() - start;
                start = System.nanoTime();
                byte[] read = store.get(key).orElseThrow();
                gets[i] = System.nanoTime() - start;
                start = System.nanoTime();
                boolean exists = store.exists(key);
                heads[i] = System.nanoTime() - start;
                if (!exists || !Arrays.equals(png, read)) {
                    throw new IllegalStateException(key + " did not come back as it was put");
                }
            }
            System.out.printf("S3 store at %s, %d B PNG, %d rounds after %d warm-up, one request at a time%n",
                    store.location(), png.length, rounds, WARM_UP);
            report("put", puts, png.length);
            report("get", gets, png.length);
            report("exists", heads, 0);
        }
        // LocalServices, if it started the servers, stops them in its shutdown hook.
        System.exit(0);
    }

    private static void report(String what, long[] nanos, int bytes) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double p50 = percentile(sorted, 0.50);
        System.out.printf("  %-6s p50 %6.2f ms  p90 %6.2f ms  min %6.2f ms  max %6.2f ms%s%n", what, p50,
                percentile(sorted, 0.90), sorted[0] / 1e6, sorted[sorted.length - 1] / 1e6,
                bytes == 0 ? "" : "  (%.0f MB/s at p50)".formatted(bytes / 1e6 / (p50 / 1e3)));
    }

    /** The nearest-rank percentile, in milliseconds. */
    private static double percentile(long[] sorted, double fraction) {
        int rank = (int) Math.ceil(fraction * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }

    /** A square PNG of random pixels: about 3 bytes per pixel, as noise does not compress. */
    private static byte[] noisePng(int side) {
        Random random = new Random(42);
        float[] chw = new float[3 * side * side];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = random.nextFloat();
        }
        return PngWriter.encode(new RgbImage(side, side, chw), "noise for the S3 store benchmark");
    }
}
