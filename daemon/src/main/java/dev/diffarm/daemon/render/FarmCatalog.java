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
 * {@link LoraDirectory}; with a {@link StoreBackedCatalog}, also the models and LoRAs of the farm's store, which a
 * node fetches when a task needs them; with an {@link UpscalerCatalog}, the upscalers upscale jobs may name; with a
 * {@link ControlNetCatalog}, the ControlNets and control preprocessors of ControlNet units.
 */
public final class FarmCatalog implements Catalog {
    private final ModelDirectory models;
    private final Supplier<SamplerRegistry> samplers;
    private final LoraDirectory loras;
    private final Optional<StoreBackedCatalog> store;
    private final Optional<UpscalerCatalog> upscalers;
    private final Optional<ControlNetCatalog> controlNets;

    /** A node's own catalog, its folders only. */
    public FarmCatalog(ModelDirectory models, Supplier<SamplerRegistry> samplers, LoraDirectory loras) {
        this(models, samplers, loras, Optional.empty());
    }

    public FarmCatalog(ModelDirectory models, Supplier<SamplerRegistry> samplers, LoraDirectory loras,
                       Optional<StoreBackedCatalog> store) {
        this(models, samplers, loras, store, Optional.empty());
    }

    /** @param upscalers the upscalers jobs may name; without them upscaler names are left for the task to check */
    public FarmCatalog(ModelDirectory models, Supplier<SamplerRegistry> samplers, LoraDirectory loras,
                       Optional<StoreBackedCatalog> store, Optional<UpscalerCatalog> upscalers) {
        this(models, samplers, loras, store, upscalers, Optional.empty());
    }

    /**
     * @param controlNets the ControlNets and preprocessors units may name; without them those names are left for the
     *                    task to check
     */
    public FarmCatalog(ModelDirectory models, Supplier<SamplerRegistry> samplers, LoraDirectory loras,
                       Optional<StoreBackedCatalog> store, Optional<UpscalerCatalog> upscalers,
                       Optional<ControlNetCatalog> controlNets) {
        this.models = models;
        this.samplers = samplers;
        this.loras = loras;
        this.store = store;
        this.upscalers = upscalers;
        this.controlNets = controlNets;
    }

    @Override
    public boolean knows(Kind kind, String name) {
        return switch (kind) {
            case MODEL -> models.find(name).isPresent() || inStore(StoreBackedCatalog.Kind.MODEL, name);
            case SAMPLER -> isSampler(name);
            case LORA -> loras.has(name) || inStore(StoreBackedCatalog.Kind.LORA, name);
            case SCHEDULE -> scheduleNames().stream().anyMatch(known -> known.equalsIgnoreCase(name.trim()));
            case UPSCALER -> upscalers.map(catalog -> catalog.knows(name)).orElse(true);
            case CONTROLNET -> controlNets.map(catalog -> catalog.knowsModel(name)).orElse(true);
            case PREPROCESSOR -> controlNets.map(catalog -> catalog.knowsPreprocessor(name)).orElse(true);
            case DIFFUSION_UPSCALER -> upscalers.map(catalog -> catalog.isSdUpscaler(name)).orElse(true);
        };
    }

    @Override
    public List<String> names(Kind kind) {
        return switch (kind) {
            case MODEL -> withStore(models.models().stream().map(ModelDirectory.Model::name).toList(),
                    StoreBackedCatalog.Kind.MODEL);
            case SAMPLER -> samplers.get().names();
            case LORA -> withStore(loras.names(), StoreBackedCatalog.Kind.LORA);
            case SCHEDULE -> scheduleNames();
            case UPSCALER -> upscalers.map(UpscalerCatalog::names).orElse(List.of());
            case CONTROLNET -> controlNets.map(ControlNetCatalog::modelNames).orElse(List.of());
            case PREPROCESSOR -> controlNets.map(ControlNetCatalog::preprocessorNames).orElse(List.of());
            case DIFFUSION_UPSCALER -> upscalers.map(UpscalerCatalog::sdUpscalerNames).orElse(List.of());
        };
    }

    private boolean inStore(StoreBackedCatalog.Kind kind, String name) {
        return store.isPresent() && store.get().has(kind, name);
    }

    /** The node's names and the store's, sorted, each once. */
    private List<String> withStore(List<String> local, StoreBackedCatalog.Kind kind) {
        if (store.isEmpty()) {
            return local;
        }
        java.util.TreeSet<String> all = new java.util.TreeSet<>(local);
        all.addAll(store.get().names(kind));
        return List.copyOf(all);
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
