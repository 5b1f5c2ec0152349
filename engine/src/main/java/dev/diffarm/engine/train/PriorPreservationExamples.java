package dev.diffarm.engine.train;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DreamBooth's data with prior preservation, in diffusers' {@code collate_fn} order: each micro-batch is the next
 * instance examples followed by as many class examples. The draws: the instance side's, then the class side's.
 */
public final class PriorPreservationExamples implements TrainingExamples {
    private final TrainingExamples instances;
    private final TrainingExamples classes;

    public PriorPreservationExamples(TrainingExamples instances, TrainingExamples classes) {
        this.instances = instances;
        this.classes = classes;
    }

    @Override
    public int images() {
        return instances.images();
    }

    @Override
    public Batch next(int batchSize, Draws draws, NDManager manager) {
        Batch instance = instances.next(batchSize, draws, manager);
        Batch prior = classes.next(batchSize, draws, manager);
        List<String> captions = new ArrayList<>(instance.captions());
        captions.addAll(prior.captions());
        return new Batch(instance.latents().concat(prior.latents(), 0), captions);
    }

    /** The instance side's position, its length, then the class side's. */
    @Override
    public long[] position() {
        long[] a = instances.position();
        long[] b = classes.position();
        long[] out = new long[1 + a.length + b.length];
        out[0] = a.length;
        System.arraycopy(a, 0, out, 1, a.length);
        System.arraycopy(b, 0, out, 1 + a.length, b.length);
        return out;
    }

    @Override
    public void restore(long[] position) {
        if (position.length < 1 || position[0] < 0 || position[0] > position.length - 1) {
            throw new IllegalArgumentException("data position: not one of instance and class examples");
        }
        int a = (int) position[0];
        instances.restore(Arrays.copyOfRange(position, 1, 1 + a));
        classes.restore(Arrays.copyOfRange(position, 1 + a, position.length));
    }

    @Override
    public Map<String, Map<String, Integer>> tagFrequency() {
        Map<String, Map<String, Integer>> out = new LinkedHashMap<>(instances.tagFrequency());
        out.putAll(classes.tagFrequency());
        return out;
    }

    @Override
    public void close() {
        instances.close();
        classes.close();
    }
}
