package dev.diffarm.engine.train.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Orders a dataset's examples into bucketed batches, epoch by epoch, as kohya's {@code BaseDataset} does: each
 * image counts its repeats times in its bucket; each bucket gives ceil(count / batch size) batches; buckets are
 * taken in size order.
 *
 * <p>Within a bucket the starting order is repeat-major: every image of the bucket once in dataset order, then the
 * images with a second repeat, and so on (kohya lists an image's repeats together; with shuffling the two are the
 * same, and without it this keeps one image from filling a batch with copies of itself).
 *
 * <p>Draws of epoch e, from one generator seeded seed + e ({@link DataRandom}), in this order: if shuffling, a
 * permutation of the epoch's batches, then a permutation of each bucket's examples, buckets in size order (kohya's
 * {@code shuffle_buckets}); then for each example in training order: if flipping, one uniform (flipped when below
 * 1/2), then its caption's draws ({@link CaptionRule}).
 */
final class EpochPlanner {
    private final Dataset dataset;
    private final List<BucketAssignment> assignments;
    private final PlanSettings settings;
    private final List<Size> bucketSizes = new ArrayList<>();
    private final List<List<Integer>> buckets = new ArrayList<>();
    private final List<int[]> batches = new ArrayList<>();

    EpochPlanner(Dataset dataset, List<BucketAssignment> assignments, PlanSettings settings) {
        this.dataset = dataset;
        this.assignments = List.copyOf(assignments);
        this.settings = settings;
        Map<Size, List<Integer>> bySize = new TreeMap<>();
        int maxRepeats = dataset.images().stream().mapToInt(TrainingImage::repeats).max().orElse(0);
        for (int repeat = 0; repeat < maxRepeats; repeat++) {
            for (int i = 0; i < dataset.images().size(); i++) {
                if (dataset.images().get(i).repeats() > repeat) {
                    bySize.computeIfAbsent(assignments.get(i).bucket(), k -> new ArrayList<>()).add(i);
                }
            }
        }
        bySize.forEach((size, members) -> {
            int bucket = buckets.size();
            bucketSizes.add(size);
            buckets.add(List.copyOf(members));
            for (int b = 0; b * settings.batchSize() < members.size(); b++) {
                batches.add(new int[] {bucket, b});
            }
        });
    }

    int batchesPerEpoch() {
        return batches.size();
    }

    /** Examples per bucket, repeats included: kohya's bucket info. */
    Map<Size, Integer> bucketCounts() {
        Map<Size, Integer> counts = new TreeMap<>();
        for (int b = 0; b < buckets.size(); b++) {
            counts.put(bucketSizes.get(b), buckets.get(b).size());
        }
        return counts;
    }

    EpochPlan plan(int epoch) {
        DataRandom random = DataRandom.forEpoch(settings.seed(), epoch);
        int[] batchOrder = DataRandom.identity(batches.size());
        List<List<Integer>> contents = buckets;
        if (settings.shuffle()) {
            batchOrder = random.permutation(batches.size());
            contents = new ArrayList<>();
            for (List<Integer> bucket : buckets) {
                List<Integer> shuffled = new ArrayList<>();
                for (int i : random.permutation(bucket.size())) {
                    shuffled.add(bucket.get(i));
                }
                contents.add(shuffled);
            }
        }
        List<PlannedBatch> planned = new ArrayList<>();
        for (int b : batchOrder) {
            int bucket = batches.get(b)[0];
            List<Integer> members = contents.get(bucket);
            int from = batches.get(b)[1] * settings.batchSize();
            List<PlannedExample> examples = new ArrayList<>();
            for (int index : members.subList(from, Math.min(from + settings.batchSize(), members.size()))) {
                TrainingImage image = dataset.images().get(index);
                boolean flipped = settings.flip() && random.uniform() < 0.5;
                String caption = settings.captions().apply(image.caption(), random);
                examples.add(new PlannedExample(index, image, assignments.get(index), flipped, caption));
            }
            planned.add(new PlannedBatch(bucketSizes.get(bucket), examples));
        }
        return new EpochPlan(epoch, planned);
    }
}
