package dev.diffarm.api.conformance;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.diffarm.api.finetune.FineTuneMethod;
import dev.diffarm.api.finetune.MethodOptions;
import dev.diffarm.api.finetune.MicroBatch;
import dev.diffarm.api.finetune.Objective;
import dev.diffarm.api.finetune.TrainableModel;
import dev.diffarm.api.finetune.Training;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The conformance kit for {@link FineTuneMethod} plugins: runs a method on a (tiny) model the host lends and checks,
 * with plain {@link AssertionError}s, that
 * <ul>
 *   <li>its gradients agree with central finite differences of its loss, at the elements with the largest gradients
 *       (those its {@code afterStep} keeps);</li>
 *   <li>its loss falls over a few steps on one fixed batch (normalised gradient descent: a step of length
 *       {@code stepLength} against the gradient);</li>
 *   <li>what it saves loads back as it was;</li>
 *   <li>a step leaves no array behind: the arrays live in the host's manager are as many after the last step as
 *       after the second.</li>
 * </ul>
 * It needs no host loop: it draws nothing, and calls the method's hooks in the order the host's loop does.
 *
 * <p>Finite differences in float32: with a perturbation h the central difference carries a round-off error of about
 * {@code ε32 · |L| / h} and a truncation error of order h²; with {@code h = 1e-2 · max(1, |p|)} both stay below 1% of
 * the gradients picked (the largest of the method's), so an element passes within 10% relative plus that round-off
 * bound. A wrong chain rule (a missing scale, a detached branch) is off by far more.
 */
public final class FineTuneConformance {
    private static final double EPS32 = Math.ulp(1f);
    private final FineTuneMethod method;
    private final MethodOptions options;

    /**
     * What the kit trains on: a model, and one fixed micro-batch.
     *
     * @param model     the host's model
     * @param manager   where the host makes its arrays (the one counted for the memory check)
     * @param batch     noisy latents, target, timesteps, captions
     * @param objective the host's objective
     */
    public record Setup(TrainableModel model, NDManager manager, MicroBatch batch, Objective objective) {
    }

    /** What the checks measured. */
    public record Report(String method, double worstGradientError, int gradientsChecked, float lossBefore,
                         float lossAfter, int savedArrays, int arraysAfterSecondStep, int arraysAfterLastStep) {
        @Override
        public String toString() {
            return String.format("%s: %d gradients vs finite differences, worst relative error %.3g; loss %.6f -> %.6f;"
                            + " %d saved arrays load back; live arrays after step 2 / last: %d / %d", method,
                    gradientsChecked, worstGradientError, lossBefore, lossAfter, savedArrays, arraysAfterSecondStep,
                    arraysAfterLastStep);
        }
    }

    private FineTuneConformance(FineTuneMethod method, MethodOptions options) {
        this.method = method;
        this.options = options;
    }

    public static FineTuneConformance of(FineTuneMethod method, MethodOptions options) {
        return new FineTuneConformance(method, options);
    }

    /**
     * Runs every check.
     *
     * @param gradients  elements to compare with finite differences
     * @param steps      descent steps (at least 3)
     * @param stepLength the length of each descent step in parameter space
     * @param scratch    a folder for the saved file
     */
    public Report check(Setup setup, int gradients, int steps, double stepLength, Path scratch) {
        if (steps < 3) {
            throw new IllegalArgumentException("steps: expected at least 3, got " + steps);
        }
        try (Training training = method.start(setup.model(), options, setup.manager())) {
            List<NDArray> parameters = List.copyOf(training.parameters().values());
            Gradients checked = gradients(training, parameters, setup, gradients);
            float before = Float.NaN;
            float last = Float.NaN;
            int afterSecond = 0;
            for (int s = 0; s < steps; s++) {
                float loss = descend(training, parameters, setup, stepLength);
                if (s == 0) {
                    before = loss;
                }
                if (s == 1) {
                    afterSecond = live(setup.manager());
                }
                last = loss;
            }
            int afterLast = live(setup.manager());
            float after = evaluate(training, setup);
            if (!(after < before)) {
                throw new AssertionError(method.name() + ": the loss did not fall over " + steps + " steps on one batch: "
                        + before + " -> " + after);
            }
            if (afterLast != afterSecond) {
                throw new AssertionError(method.name() + ": steps leave arrays behind: " + afterSecond
                        + " live after step 2, " + afterLast + " after step " + steps);
            }
            int saved = roundTrip(training, scratch);
            return new Report(method.name(), checked.worst, checked.count, before, after, saved, afterSecond, afterLast);
        }
    }

    private record Gradients(double worst, int count) {
    }

    private record Element(int array, int index, float gradient) {
    }

    /** The gradients at the largest elements against central differences of the loss. */
    private Gradients gradients(Training training, List<NDArray> parameters, Setup setup, int count) {
        float[][] grads = new float[parameters.size()][];
        float loss;
        training.beforeStep();
        try (NDScope scope = new NDScope()) {
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray l = training.loss(setup.batch(), setup.objective());
                collector.backward(l);
                loss = l.getFloat();
            }
            for (int i = 0; i < parameters.size(); i++) {
                NDArray g = parameters.get(i).getGradient();
                grads[i] = g.toFloatArray();
                g.muli(0);
            }
        } finally {
            training.afterStep();
        }
        List<Element> candidates = new ArrayList<>();
        for (int i = 0; i < grads.length; i++) {
            for (int j = 0; j < grads[i].length; j++) {
                if (grads[i][j] != 0) {
                    candidates.add(new Element(i, j, grads[i][j]));
                }
            }
        }
        candidates.sort(Comparator.comparingDouble((Element e) -> -Math.abs(e.gradient())));
        if (candidates.isEmpty()) {
            throw new AssertionError(method.name() + ": every gradient is zero");
        }
        double worst = 0;
        int checked = 0;
        for (Element e : candidates) {
            if (checked == count) {
                break;
            }
            NDArray p = parameters.get(e.array());
            float[] values = p.toFloatArray();
            float original = values[e.index()];
            float h = (float) (1e-2 * Math.max(1, Math.abs(original)));
            Float plus = perturbed(training, p, values, e.index(), original + h, setup);
            if (plus == null) {
                continue; // the method's afterStep put this element back: it is not trained
            }
            float minus = perturbed(training, p, values, e.index(), original - h, setup);
            values[e.index()] = original;
            p.set(values);
            training.afterStep();
            double difference = (plus - minus) / (2.0 * h);
            double roundOff = 4 * EPS32 * Math.abs(loss) / h;
            double error = Math.abs(difference - e.gradient()) / Math.abs(e.gradient());
            if (Math.abs(difference - e.gradient()) > 0.1 * Math.abs(e.gradient()) + roundOff) {
                throw new AssertionError(String.format("%s: gradient of %s element %d is %.6g, the finite difference"
                        + " %.6g", method.name(), name(training, e.array()), e.index(), e.gradient(), difference));
            }
            worst = Math.max(worst, error);
            checked++;
        }
        if (checked == 0) {
            throw new AssertionError(method.name() + ": no element with a gradient survives afterStep");
        }
        return new Gradients(worst, checked);
    }

    private static String name(Training training, int index) {
        return new ArrayList<>(training.parameters().keySet()).get(index);
    }

    /** The loss with element {@code index} of {@code p} at {@code value}; null if afterStep put it back. */
    private static Float perturbed(Training training, NDArray p, float[] values, int index, float value, Setup setup) {
        values[index] = value;
        p.set(values);
        training.afterStep();
        if (p.toFloatArray()[index] != value) {
            return null;
        }
        return evaluate(training, setup);
    }

    private static float evaluate(Training training, Setup setup) {
        training.beforeStep();
        try (NDScope scope = new NDScope()) {
            return training.loss(setup.batch(), setup.objective()).getFloat();
        } finally {
            training.afterStep();
        }
    }

    /** One normalised gradient-descent step; returns the loss before it. */
    private static float descend(Training training, List<NDArray> parameters, Setup setup, double length) {
        training.beforeStep();
        try (NDScope scope = new NDScope()) {
            float loss;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray l = training.loss(setup.batch(), setup.objective());
                collector.backward(l);
                loss = l.getFloat();
            }
            double norm = 0;
            List<NDArray> grads = new ArrayList<>();
            for (NDArray p : parameters) {
                NDArray g = p.getGradient();
                grads.add(g);
                norm += g.square().sum().getFloat();
            }
            float scale = (float) (length / Math.max(Math.sqrt(norm), 1e-12));
            for (int i = 0; i < parameters.size(); i++) {
                parameters.get(i).subi(grads.get(i).mul(scale));
                grads.get(i).muli(0);
            }
            return loss;
        } finally {
            training.afterStep();
        }
    }

    private static int live(NDManager manager) {
        return manager.getManagedArrays().size();
    }

    private int roundTrip(Training training, Path scratch) {
        try {
            Files.createDirectories(scratch);
            Path file = scratch.resolve(method.name() + "-conformance.safetensors");
            training.save(file, Map.of("conformance", "true"));
            try (NDManager manager = NDManager.newBaseManager()) {
                Map<String, NDArray> loaded = training.load(file, manager);
                Map<String, NDArray> saved = training.saved();
                if (!loaded.keySet().equals(saved.keySet())) {
                    throw new AssertionError(method.name() + ": saved " + saved.size() + " arrays, loaded "
                            + loaded.size() + " back under other names");
                }
                for (Map.Entry<String, NDArray> e : saved.entrySet()) {
                    float[] expected = e.getValue().toFloatArray();
                    float[] actual = loaded.get(e.getKey()).toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                            .toFloatArray();
                    if (!java.util.Arrays.equals(expected, actual)) {
                        throw new AssertionError(method.name() + ": " + e.getKey() + " does not load back as saved");
                    }
                }
                return saved.size();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(method.name() + ": save or load failed: " + e.getMessage(), e);
        }
    }
}
