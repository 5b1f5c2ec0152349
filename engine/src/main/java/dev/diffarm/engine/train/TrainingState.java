package dev.diffarm.engine.train;

import ai.djl.ndarray.NDArray;
import dev.diffarm.engine.random.TorchGenerator;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ArrayList;
import java.util.Map;

/**
 * The whole state of a fine-tune run after an optimizer step, enough to continue it bit for bit, whatever the method:
 * the method's trained arrays by name ({@code param.<name>}), AdamW's moments and step count, the steps done (which fix
 * the learning-rate schedule's position), the generator's state and the data position. Kept as
 * {@code state.safetensors} in a folder {@code step-NNNNNN}.
 */
public final class TrainingState {
    /** The file of a saved state in its folder. */
    public static final String FILE = "state.safetensors";
    private static final String PARAM = "param.";

    private TrainingState() {
    }

    /** The folder of step {@code step} under {@code root}. */
    public static Path folder(Path root, long step) {
        return root.resolve(String.format("step-%06d", step));
    }

    /** Saves {@code loop}'s state and {@code generator}'s into {@code folder}. */
    static void save(FineTuneLoop loop, TorchGenerator generator, long seed, String method, Path folder)
            throws IOException {
        Files.createDirectories(folder);
        SafetensorsWriter writer = new SafetensorsWriter();
        for (int i = 0; i < loop.names().size(); i++) {
            NDArray p = loop.parameters().get(i);
            writer.add(PARAM + loop.names().get(i), p.toFloatArray(), p.getShape().getShape());
        }
        AdamW adam = loop.optimizer();
        for (int i = 0; i < adam.firstMoments().size(); i++) {
            NDArray m = adam.firstMoments().get(i);
            writer.add(String.format("adam.m.%04d", i), m.toFloatArray(), m.getShape().getShape());
            writer.add(String.format("adam.v.%04d", i), adam.secondMoments().get(i).toFloatArray(), m.getShape().getShape());
        }
        TorchGenerator.State g = generator.state();
        writer.add("generator.twister", Arrays.stream(g.twister()).asLongStream().toArray(), g.twister().length);
        long[] position = loop.examples().position();
        writer.add("data.position", position, position.length);
        writer.metadata("step", Long.toString(loop.stepsDone()))
                .metadata("method", method)
                .metadata("adam_steps", Long.toString(adam.steps()))
                .metadata("seed", Long.toString(seed))
                .metadata("generator_cached_normal", Double.toString(g.cachedNormal()))
                .metadata("generator_has_cached_normal", Boolean.toString(g.hasCachedNormal()));
        writer.write(folder.resolve(FILE));
    }

    /** A saved state, read back; {@code parameters} by name, in the saved order. */
    record Saved(long step, long seed, String method, Map<String, float[]> parameters, long adamSteps,
                 List<float[]> adamM, List<float[]> adamV, TorchGenerator.State generator, long[] dataPosition) {
    }

    /**
     * @throws IllegalArgumentException if {@code folder} holds no state or an incomplete one
     */
    static Saved read(Path folder) {
        Path file = folder.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("resume: " + folder + " holds no " + FILE + " (expected a folder "
                    + "OUT.state/step-NNNNNN written by --save-state)");
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Map<String, String> meta = f.metadata();
            Map<String, float[]> parameters = new LinkedHashMap<>();
            for (String name : f.names()) {
                if (name.startsWith(PARAM)) {
                    parameters.put(name.substring(PARAM.length()), f.floats(name));
                }
            }
            List<float[]> m = new ArrayList<>();
            List<float[]> v = new ArrayList<>();
            for (int i = 0; f.contains(String.format("adam.m.%04d", i)); i++) {
                m.add(f.floats(String.format("adam.m.%04d", i)));
                v.add(f.floats(String.format("adam.v.%04d", i)));
            }
            int[] twister = Arrays.stream(f.longs("generator.twister")).mapToInt(l -> (int) l).toArray();
            TorchGenerator.State generator = new TorchGenerator.State(twister,
                    Double.parseDouble(meta.get("generator_cached_normal")),
                    Boolean.parseBoolean(meta.get("generator_has_cached_normal")));
            return new Saved(Long.parseLong(meta.get("step")), Long.parseLong(meta.get("seed")), meta.get("method"),
                    parameters, Long.parseLong(meta.get("adam_steps")), m, v, generator, f.longs("data.position"));
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw e;
            }
            throw new IllegalArgumentException("resume: " + file + " is not a complete training state: " + e.getMessage(), e);
        }
    }
}
