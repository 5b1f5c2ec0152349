package dev.diffarm.engine.lora;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.diffarm.engine.lora.LoraKeys.Role;
import dev.diffarm.engine.safetensors.SafetensorsException;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The modules of one LoRA file, read into memory as float32 (a LoRA is small: a few to a few hundred MB), in the
 * file's own naming: nothing is matched to a model yet ({@link LoraTargets#bind} does that). Tensors of any other
 * kind (other network types, half modules) are kept as {@link #unrecognizedKeys()} so that they can be reported.
 */
public final class LoraWeights implements AutoCloseable {
    private static final String EXTENSION = ".safetensors";

    private final String name;
    private final NDManager manager;
    private final List<LoraModule> modules;
    private final List<String> unrecognizedKeys;

    /**
     * LoRA modules built in memory (tests, benchmarks).
     *
     * @param manager holds the modules' arrays; closed with this object
     */
    public LoraWeights(String name, NDManager manager, List<LoraModule> modules, List<String> unrecognizedKeys) {
        this.name = name;
        this.manager = manager;
        this.modules = List.copyOf(modules);
        this.unrecognizedKeys = List.copyOf(unrecognizedKeys);
    }

    /**
     * Reads a LoRA in kohya's or diffusers' (PEFT) naming ({@link LoraKeys}) from a {@code .safetensors} file.
     *
     * @throws LoraException naming the file: not a safetensors file, or a module whose {@code alpha} is not one number
     */
    public static LoraWeights read(Path file) {
        String fileName = file.getFileName().toString();
        if (!fileName.toLowerCase(Locale.ROOT).endsWith(EXTENSION)) {
            throw new LoraException("LoRA " + file + ": expected a .safetensors file (pickled .pt/.ckpt LoRAs can run "
                    + "code when read and are not loaded)");
        }
        if (!Files.isRegularFile(file)) {
            throw new LoraException("LoRA " + file + " does not exist");
        }
        String name = fileName.substring(0, fileName.length() - EXTENSION.length());
        // read on the host; fusing copies the factors to the model's device
        NDManager manager = NDManager.newBaseManager(Device.cpu());
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            Map<String, ModuleKeys> byModule = new LinkedHashMap<>();
            List<String> unrecognized = new ArrayList<>();
            for (String key : st.names()) {
                LoraKeys.parse(key).ifPresentOrElse(
                        part -> byModule.computeIfAbsent(part.module(), m -> new ModuleKeys(part)).add(part.role(), key, file),
                        () -> unrecognized.add(key));
            }
            List<LoraModule> modules = new ArrayList<>();
            for (ModuleKeys module : byModule.values()) {
                if (module.isComplete()) {
                    modules.add(module.load(st, manager));
                } else {
                    unrecognized.addAll(module.keys.values());
                }
            }
            return new LoraWeights(name, manager, modules, unrecognized);
        } catch (SafetensorsException e) {
            manager.close();
            throw new LoraException("LoRA " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The tensor keys of one module, by role, as the file lists them. */
    private static final class ModuleKeys {
        private final LoraKeys.Part part;
        private final Map<Role, String> keys = new EnumMap<>(Role.class);

        ModuleKeys(LoraKeys.Part part) {
            this.part = part;
        }

        void add(Role role, String key, Path file) {
            String previous = keys.put(role, key);
            if (previous != null) {
                throw new LoraException("LoRA " + file + ": tensors '" + previous + "' and '" + key + "' are both the "
                        + role.name().toLowerCase(Locale.ROOT) + " of one module");
            }
        }

        boolean isComplete() {
            return keys.containsKey(Role.DOWN) && keys.containsKey(Role.UP);
        }

        /** The module's matrices; alpha defaults to the rank (scale 1), as in diffusers and kohya. */
        LoraModule load(SafetensorsFile st, NDManager manager) {
            NDArray down = st.load(keys.get(Role.DOWN), manager);
            NDArray up = st.load(keys.get(Role.UP), manager);
            float alpha = keys.containsKey(Role.ALPHA) ? alpha(st, keys.get(Role.ALPHA)) : (float) down.getShape().get(0);
            return new LoraModule(part.component(), part.layerName(), List.copyOf(keys.values()), down, up, alpha);
        }
    }

    private static float alpha(SafetensorsFile st, String key) {
        float[] values = st.floats(key);
        if (values.length != 1) {
            throw new LoraException("LoRA " + st.path() + ": '" + key + "' holds " + values.length
                    + " values, expected one number");
        }
        return values[0];
    }

    /** The LoRA's name: its file name without {@code .safetensors}. */
    public String name() {
        return name;
    }

    public List<LoraModule> modules() {
        return modules;
    }

    /** Keys of tensors that are no part of a complete LoRA module of a known naming. */
    public List<String> unrecognizedKeys() {
        return Collections.unmodifiableList(unrecognizedKeys);
    }

    @Override
    public void close() {
        manager.close();
    }
}
