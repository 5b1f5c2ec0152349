package dev.diffarm.daemon.render;

import dev.diffarm.engine.sampler.SamplerRegistry;
import java.util.Optional;
import java.util.function.Supplier;
import dev.diffarm.farm.config.Catalog;
import java.util.List;

/**
 * What this farm can render, for {@link dev.diffarm.farm.config.JobParser}: the models in its
 * {@link ModelDirectory}, the samplers of its {@link SamplerRegistry} (by any name the registry resolves) and
 * the LoRAs in its {@link LoraDirectory}. The engine has no named noise schedules apart from its samplers'
 * ({@code DPM++ 2M Karras}), so a job naming one is refused with the field at fault.
 */
public final class FarmCatalog implements Catalog {
    private final ModelDirectory models;
    private final Supplier<SamplerRegistry> samplers;
    private final LoraDirectory loras;

    public FarmCatalog(ModelDirectory models, Supplier<SamplerRegistry> samplers, LoraDirectory loras) {
        this.models = models;
        this.samplers = samplers;
        this.loras = loras;
    }

    @Override
    public boolean knows(Kind kind, String name) {
        return switch (kind) {
            case MODEL -> models.find(name).isPresent();
            case SAMPLER -> isSampler(name);
            case LORA -> loras.has(name);
            case SCHEDULE -> false;
        };
    }

    @Override
    public List<String> names(Kind kind) {
        return switch (kind) {
            case MODEL -> models.models().stream().map(ModelDirectory.Model::name).toList();
            case SAMPLER -> samplers.get().names();
            case LORA -> loras.names();
            case SCHEDULE -> List.of();
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
