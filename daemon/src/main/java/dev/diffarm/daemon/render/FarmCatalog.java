package dev.diffarm.daemon.render;

import dev.diffarm.engine.sampler.SamplerRegistry;
import java.util.Optional;
import java.util.function.Supplier;
import dev.diffarm.farm.config.Catalog;
import java.util.List;

/**
 * What this farm can render, for {@link dev.diffarm.farm.config.JobParser}: the models in its
 * {@link ModelDirectory} and the samplers of its {@link SamplerRegistry} (by any name the registry resolves).
 * The engine has no named noise schedules apart from its samplers' ({@code DPM++ 2M Karras}) and no LoRAs
 * yet, so a job naming either is refused with the field at fault.
 */
public final class FarmCatalog implements Catalog {
    private final ModelDirectory models;
    private final Supplier<SamplerRegistry> samplers;

    public FarmCatalog(ModelDirectory models, Supplier<SamplerRegistry> samplers) {
        this.models = models;
        this.samplers = samplers;
    }

    @Override
    public boolean knows(Kind kind, String name) {
        return switch (kind) {
            case MODEL -> models.find(name).isPresent();
            case SAMPLER -> isSampler(name);
            case SCHEDULE, LORA -> false;
        };
    }

    @Override
    public List<String> names(Kind kind) {
        return switch (kind) {
            case MODEL -> models.models().stream().map(ModelDirectory.Model::name).toList();
            case SAMPLER -> samplers.get().names();
            case SCHEDULE, LORA -> List.of();
        };
    }

    private boolean isSampler(String name) {
        try {
            samplers.get().resolve(name, Optional.empty());
            return true;
        } catch (IllegalArgumentException unknown) {
            return false;
        }
    }
}
