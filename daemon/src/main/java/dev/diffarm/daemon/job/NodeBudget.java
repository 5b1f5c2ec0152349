package dev.diffarm.daemon.job;

import dev.diffarm.farm.config.Campaign;
import dev.diffarm.farm.config.ImageJob;
import dev.diffarm.farm.config.Job;
import dev.diffarm.farm.config.RenderJob;
import dev.diffarm.farm.config.Size;
import dev.diffarm.farm.config.ValidationError;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What one image may cost this node, estimated from the job before it runs: a 4096x4096 image of 1,000 steps is
 * within the contract, but would grow the daemon out of memory and hold the worker for hours (and, redelivered after
 * the crash, crash it again). A job with an image over either limit is rejected at intake, naming the fields, the
 * estimate and the limit.
 *
 * <p>Memory: {@value #BYTES_PER_PIXEL} bytes per output pixel. The VAE decoder's last blocks run at full resolution
 * with 128 float32 channels, and about four such activations are alive at once (a ResNet block's input, its two
 * normalised and convolved intermediates, its output): 128 x 4 bytes x 4. Everything at latent resolution (the UNet,
 * with fused attention whose memory grows with the tokens, not their square) is a small fraction of it, and the
 * model's weights are the node's, not the job's. Work: megapixels times steps, the quantity a step's time grows with.
 *
 * @param maxTaskBytes          the most memory one image may be estimated to need ({@value #MEMORY_SETTING})
 * @param maxTaskMegapixelSteps the most work one image may be: megapixels x steps ({@value #WORK_SETTING})
 */
public record NodeBudget(long maxTaskBytes, double maxTaskMegapixelSteps) {
    public static final long BYTES_PER_PIXEL = 128 * 4 * 4;
    public static final String MEMORY_SETTING = "DIFFARM_ADMIT_MAX_TASK_MEMORY_BYTES";
    public static final String WORK_SETTING = "DIFFARM_ADMIT_MAX_TASK_MEGAPIXEL_STEPS";
    /** 2,000: 1024x1024 at 1,900 steps, 2048x2048 at 475; 512x512 at 50 steps is 13. */
    public static final double DEFAULT_MAX_TASK_MEGAPIXEL_STEPS = 2000;

    public NodeBudget {
        if (maxTaskBytes < 1) {
            throw new IllegalArgumentException(MEMORY_SETTING + " = " + maxTaskBytes + ": expected a positive number of bytes");
        }
        if (!(maxTaskMegapixelSteps > 0)) {
            throw new IllegalArgumentException(WORK_SETTING + " = " + maxTaskMegapixelSteps + ": expected a positive number");
        }
    }

    /** Half of this machine's memory (its container's limit, where it has one), and the default work limit. */
    public static NodeBudget ofThisMachine() {
        return new NodeBudget(halfOfMemory(), DEFAULT_MAX_TASK_MEGAPIXEL_STEPS);
    }

    /** Half of the memory the JVM sees: the rest is for the model's weights, the JVM and the system. */
    public static long halfOfMemory() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize() / 2;
    }

    /** Why {@code job} is over this budget, one problem per size and limit; empty when it fits (or is no image job). */
    List<ValidationError> excess(Job job) {
        List<ValidationError> problems = new ArrayList<>();
        if (job instanceof RenderJob render) {
            check(render, render.size(), "width, height", problems);
        } else if (job instanceof Campaign campaign) {
            for (int i = 0; i < campaign.sizes().size(); i++) {
                check(campaign, campaign.sizes().get(i), "sizes[" + i + "]", problems);
            }
        }
        return problems;
    }

    /** The estimates at the size the image ends with (a hires pass or an outpainting makes it larger). */
    private void check(ImageJob job, Size size, String field, List<ValidationError> problems) {
        Size image = job.settings().modes().imageSize(size);
        String shown = image.equals(size) ? size.toString() : size + " (" + image + " after its hires pass or outpainting)";
        long pixels = (long) image.width() * image.height();
        long bytes = pixels * BYTES_PER_PIXEL;
        if (bytes > maxTaskBytes) {
            problems.add(ValidationError.overBudget(field, size.toString(), String.format(Locale.ROOT,
                    "%s = %s: an image of this size is estimated to need %s of memory: expected at most %s (%s)",
                    field, shown, gigabytes(bytes), gigabytes(maxTaskBytes), MEMORY_SETTING)));
        }
        int steps = job.settings().steps();
        double work = pixels / 1e6 * steps;
        if (work > maxTaskMegapixelSteps) {
            problems.add(ValidationError.overBudget("steps", Integer.toString(steps), String.format(Locale.ROOT,
                    "steps = %d at %s: %.0f megapixel-steps per image: expected at most %.0f (%s)",
                    steps, shown, work, maxTaskMegapixelSteps, WORK_SETTING)));
        }
    }

    private static String gigabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f GB", bytes / 1e9);
    }
}
