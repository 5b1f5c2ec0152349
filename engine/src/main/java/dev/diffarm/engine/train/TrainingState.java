package dev.diffarm.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.diffarm.engine.random.TorchGenerator;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The whole state of a LoRA run after an optimizer step, enough to continue it bit for bit: the LoRA's arrays,
 * AdamW's moments and step count, the steps done (which fix the learning-rate schedule's position), the generator's
 * state and the data position ({@link TrainingExamples#position()}). Kept as {@code state.safetensors} in a folder {@code step-NNNNNN}.
 */
public final class TrainingState {
    /** The file of a saved state in its folder. */
    public static final String FILE = "state.safetensors";

    private TrainingState() {
    }

    /** The folder of step {@code step} under {@code root}. */
    public static Path folder(Path root, long step) {
        return root.resolve(String.format("step-%06d", step));
    }

    /** Saves {@code trainer}'s state and {@code generator}'s into {@code folder}. */
    static void save(LoraTrainer trainer, TorchGenerator generator, long seed, Path folder) throws IOException {
        Files.createDirectories(folder);
        SafetensorsWriter writer = new SafetensorsWriter();
        for (TrainableLora m : trainer.network().modules()) {
            writer.add("lora." + m.path() + ".down", m.down().toFloatArray(), m.down().getShape().getShape());
            writer.add("lora." + m.path() + ".up", m.up().toFloatArray(), m.up().getShape().getShape());
            writer.add("lora." + m.path() + ".alpha", new float[] {m.alpha()});
        }
        AdamW adam = trainer.optimizer();
        for (int i = 0; i < adam.firstMoments().size(); i++) {
            NDArray m = adam.firstMoments().get(i);
            writer.add(String.format("adam.m.%04d", i), m.toFloatArray(), m.getShape().getShape());
            writer.add(String.format("adam.v.%04d", i), adam.secondMoments().get(i).toFloatArray(), m.getShape().getShape());
        }
        TorchGenerator.State g = generator.state();
        writer.add("generator.twister", Arrays.stream(g.twister()).asLongStream().toArray(), g.twister().length);
        long[] position = trainer.examples().position();
        writer.add("data.position", position, position.length);
        writer.metadata("step", Long.toString(trainer.stepsDone()))
                .metadata("adam_steps", Long.toString(adam.steps()))
                .metadata("seed", Long.toString(seed))
                .metadata("generator_cached_normal", Double.toString(g.cachedNormal()))
                .metadata("generator_has_cached_normal", Boolean.toString(g.hasCachedNormal()));
        writer.write(folder.resolve(FILE));
    }

    /** A saved state, read back. */
    record Saved(long step, long seed, List<LoraNetwork.Start> lora, long adamSteps, List<float[]> adamM,
                 List<float[]> adamV, TorchGenerator.State generator, long[] dataPosition) {
    }

    /**
     * @throws IllegalArgumentException if {@code folder} holds no state or an incomplete one
     */
    static Saved read(Path folder, NDManager manager) {
        Path file = folder.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("resume: " + folder + " holds no " + FILE + " (expected a folder "
                    + "OUT.state/step-NNNNNN written by --save-state)");
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Map<String, String> meta = f.metadata();
            List<LoraNetwork.Start> lora = new ArrayList<>();
            for (String name : f.names()) {
                if (name.startsWith("lora.") && name.endsWith(".down")) {
                    String path = name.substring("lora.".length(), name.length() - ".down".length());
                    lora.add(new LoraNetwork.Start(path, f.load(name, manager), f.load("lora." + path + ".up", manager),
                            f.floats("lora." + path + ".alpha")[0]));
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
            long[] dataPosition = f.longs("data.position");
            return new Saved(Long.parseLong(meta.get("step")), Long.parseLong(meta.get("seed")), lora,
                    Long.parseLong(meta.get("adam_steps")), m, v, generator, dataPosition);
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw e;
            }
            throw new IllegalArgumentException("resume: " + file + " is not a complete training state: " + e.getMessage(), e);
        }
    }
}
