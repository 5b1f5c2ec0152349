package dev.diffarm.farm.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * The hyperparameters a train job may sweep: each is a list of values (one value when it is not swept), and every
 * combination of them trains as a task of its own, with its own output name and saved state. A job without lists is a
 * sweep of one combination.
 *
 * @param learningRate  the base learning rates
 * @param networkDim    the LoRA ranks
 * @param networkAlpha  the LoRA alphas
 * @param maxTrainSteps the run lengths in optimizer steps
 */
public record TrainSweep(List<Double> learningRate, List<Integer> networkDim, List<Double> networkAlpha,
                         List<Integer> maxTrainSteps) {
    /** The most combinations one train job may sweep. */
    public static final int MAX_COMBINATIONS = 16;
    /** The fields that may be lists, in the order their values vary in the combinations (the last fastest). */
    public static final List<String> FIELDS = List.of("learningRate", "networkDim", "networkAlpha", "maxTrainSteps");

    public TrainSweep {
        learningRate = List.copyOf(learningRate);
        networkDim = List.copyOf(networkDim);
        networkAlpha = List.copyOf(networkAlpha);
        maxTrainSteps = List.copyOf(maxTrainSteps);
        requireAll("learningRate", learningRate, Rules.LEARNING_RATE);
        requireAll("networkDim", networkDim.stream().map(Integer::longValue).toList(), Rules.NETWORK_DIM);
        requireAll("networkAlpha", networkAlpha, Rules.NETWORK_ALPHA);
        requireAll("maxTrainSteps", maxTrainSteps.stream().map(Integer::longValue).toList(), Rules.TRAIN_STEPS);
        checkCount(Problems.THROWING, sizes(learningRate, networkDim, networkAlpha, maxTrainSteps));
    }

    /** One value of each: no sweep. */
    public static TrainSweep single(double learningRate, int networkDim, double networkAlpha, int maxTrainSteps) {
        return new TrainSweep(List.of(learningRate), List.of(networkDim), List.of(networkAlpha), List.of(maxTrainSteps));
    }

    /**
     * One combination of the swept values.
     *
     * @param label what tells it from the job's other combinations, such as {@code lr1e-4-dim16}: a part per swept
     *              field, none for a field of one value; empty when the job sweeps nothing
     */
    public record Combination(double learningRate, int networkDim, double networkAlpha, int maxTrainSteps,
                              String label) {
    }

    /** How many combinations: the product of the lists' sizes. */
    public int count() {
        return learningRate.size() * networkDim.size() * networkAlpha.size() * maxTrainSteps.size();
    }

    /** Whether any field has more than one value. */
    public boolean isSweep() {
        return count() > 1;
    }

    /** Every combination, {@code learningRate} varying slowest and {@code maxTrainSteps} fastest. */
    public List<Combination> combinations() {
        List<Combination> out = new ArrayList<>(count());
        for (double lr : learningRate) {
            for (int dim : networkDim) {
                for (double alpha : networkAlpha) {
                    for (int steps : maxTrainSteps) {
                        List<String> parts = new ArrayList<>();
                        if (learningRate.size() > 1) {
                            parts.add("lr" + compact(lr));
                        }
                        if (networkDim.size() > 1) {
                            parts.add("dim" + dim);
                        }
                        if (networkAlpha.size() > 1) {
                            parts.add("alpha" + compact(alpha));
                        }
                        if (maxTrainSteps.size() > 1) {
                            parts.add("steps" + steps);
                        }
                        out.add(new Combination(lr, dim, alpha, steps, String.join("-", parts)));
                    }
                }
            }
        }
        return out;
    }

    /** The longest label a combination has, in characters. */
    int longestLabel() {
        return combinations().stream().mapToInt(c -> c.label().length()).max().orElse(0);
    }

    /** Writes each field as a number when it has one value, else as an array. */
    void write(ObjectNode node) {
        writeNumbers(node, "learningRate", learningRate);
        writeNumbers(node, "networkDim", networkDim);
        writeNumbers(node, "networkAlpha", networkAlpha);
        writeNumbers(node, "maxTrainSteps", maxTrainSteps);
    }

    /** Reports a sweep of more than {@link #MAX_COMBINATIONS} at its longest list; {@code sizes} in {@link #FIELDS} order. */
    static void checkCount(Problems problems, List<Integer> sizes) {
        long count = sizes.stream().mapToLong(Integer::longValue).reduce(1, (a, b) -> a * b);
        if (count <= MAX_COMBINATIONS) {
            return;
        }
        int longest = 0;
        for (int i = 1; i < sizes.size(); i++) {
            longest = sizes.get(i) > sizes.get(longest) ? i : longest;
        }
        problems.report(ValidationError.of(ValidationError.Code.INVALID_VALUE, FIELDS.get(longest),
                sizes.get(longest) + " values", "at most " + MAX_COMBINATIONS + " combinations of the swept "
                        + String.join(" x ", FIELDS) + " (this job has " + count + ")"));
    }

    /** A number as short as it reads: {@code 1e-3}, {@code 2.5e-4}, {@code 0.5}, {@code 8}. */
    static String compact(double value) {
        BigDecimal decimal = new BigDecimal(Double.toString(value)).stripTrailingZeros();
        if (value == 0 || Math.abs(value) >= 0.01) {
            return decimal.toPlainString();
        }
        int exponent = decimal.precision() - decimal.scale() - 1;
        return decimal.movePointRight(-exponent).stripTrailingZeros().toPlainString() + "e" + exponent;
    }

    private static List<Integer> sizes(List<?>... lists) {
        List<Integer> sizes = new ArrayList<>();
        for (List<?> list : lists) {
            sizes.add(list.size());
        }
        return sizes;
    }

    private static <T> void requireAll(String field, List<T> values, Rule<T> rule) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException(field + ": expected a value or a non-empty list of values");
        }
        for (int i = 0; i < values.size(); i++) {
            rule.require(values.size() == 1 ? field : FieldPath.index(field, i), values.get(i));
            if (values.indexOf(values.get(i)) != i) {
                throw new IllegalArgumentException(FieldPath.index(field, i) + ": " + values.get(i)
                        + " is listed twice; expected distinct values");
            }
        }
    }

    private static void writeNumbers(ObjectNode node, String field, List<? extends Number> values) {
        if (values.size() == 1) {
            put(node, field, values.get(0));
        } else {
            var array = node.putArray(field);
            values.forEach(value -> {
                if (value instanceof Integer i) {
                    array.add(i);
                } else {
                    array.add(value.doubleValue());
                }
            });
        }
    }

    private static void put(ObjectNode node, String field, Number value) {
        if (value instanceof Integer i) {
            node.put(field, i);
        } else {
            node.put(field, value.doubleValue());
        }
    }
}
