package dev.diffarm.daemon.render;

import dev.diffarm.api.control.ControlPreprocessor;
import dev.diffarm.engine.control.ControlPreprocessors;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * The ControlNet models a job's units may name (the {@link ControlNetDirectory}) and the control preprocessors of the
 * plugins (by name or alias, case ignored, as the engine finds them), for the job's validation and its tasks.
 */
public final class ControlNetCatalog {
    private final ControlNetDirectory models;
    private final Supplier<ControlPreprocessors> preprocessors;

    /** @param preprocessors the preprocessor plugins as loaded now (a jar dropped in is found at the next lookup) */
    public ControlNetCatalog(ControlNetDirectory models, Supplier<ControlPreprocessors> preprocessors) {
        this.models = models;
        this.preprocessors = preprocessors;
    }

    public List<String> modelNames() {
        return models.names();
    }

    public boolean knowsModel(String name) {
        return models.find(name).isPresent();
    }

    /** Every preprocessor's name (not its aliases), sorted. */
    public List<String> preprocessorNames() {
        return preprocessors.get().names();
    }

    public boolean knowsPreprocessor(String name) {
        try {
            preprocessors.get().named(name);
            return true;
        } catch (IllegalArgumentException unknown) {
            return false;
        }
    }

    /**
     * The file or folder of the ControlNet {@code name}.
     *
     * @param field the job's field, named in errors ({@code controlnets[0].model})
     * @throws RenderException ({@value RenderException#INPUT_UNAVAILABLE}) listing the node's ControlNets when it has no
     *                         such one
     */
    public Path model(String field, String name) {
        return models.find(name).orElseThrow(() -> new RenderException(RenderException.INPUT_UNAVAILABLE, field + " = \""
                + name + "\": no such ControlNet in " + models.dir() + "; it has " + models.names(), null));
    }

    /**
     * The preprocessor {@code name} selects.
     *
     * @throws RenderException ({@value RenderException#INPUT_UNAVAILABLE}) listing the known ones when no plugin has it
     */
    public ControlPreprocessor preprocessor(String field, String name) {
        try {
            return preprocessors.get().named(name);
        } catch (IllegalArgumentException e) {
            throw new RenderException(RenderException.INPUT_UNAVAILABLE, field + ": " + e.getMessage(), e);
        }
    }
}
