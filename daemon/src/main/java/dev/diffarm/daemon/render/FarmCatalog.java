package dev.diffarm.daemon.render;

import dev.diffarm.engine.sampler.SamplerRegistry;
import dev.diffarm.farm.config.Catalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What this farm can render, for {@link dev.diffarm.farm.config.JobParser}: the models in its
 * {@link ModelDirectory}, the samplers and noise schedules of its {@link SamplerRegistry} (by any name the registry
 * resolves; {@value SamplerRegistry#DEFAULT_SCHEDULE} is the model's own schedule) and the LoRAs in its
 * {@link LoraDirectory}.
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
            case SCHEDULE -> scheduleNames().stream().anyMatch(known -> known.equalsIgnoreCase(name.trim()));
        };
    }

    @Override
    public List<String> names(Kind kind) {
        return switch (kind) {
            case MODEL -> models.models().stream().map(ModelDirectory.Model::name).toList();
            case SAMPLER -> samplers.get().names();
            case LORA -> loras.names();
            case SCHEDULE -> scheduleNames();
        };
    }

    /** {@value SamplerRegistry#DEFAULT_SCHEDULE}, then the registry's schedules by name. */
    private List<String> scheduleNames() {
        List<String> names = new ArrayList<>();
        names.add(SamplerRegistry.DEFAULT_SCHEDULE);
        samplers.get().schedules().forEach(schedule -> names.add(schedule.name()));
        return names;
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
