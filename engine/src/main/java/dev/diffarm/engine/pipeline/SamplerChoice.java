package dev.diffarm.engine.pipeline;

import dev.diffarm.api.Sampler;
import dev.diffarm.engine.sampler.SamplerRegistry;
import dev.diffarm.engine.schedule.Schedule;
import java.util.Optional;

/**
 * The sampler and noise schedule a request selected, resolved in one registry snapshot, with the request's eta
 * applied.
 *
 * @param selection the registry's entries, for their A1111 names
 * @param sampler   the sampler to run
 */
record SamplerChoice(SamplerRegistry.Selection selection, Sampler sampler) {

    /**
     * @throws IllegalArgumentException for an unknown sampler or schedule (naming the known ones) or an eta the
     *                                  sampler does not take
     */
    static SamplerChoice resolve(SamplerRegistry registry, GenerationRequest request) {
        SamplerRegistry.Selection selection = registry.resolve(request.sampler(), request.schedule());
        return new SamplerChoice(selection, registry.sampler(selection, request.eta()));
    }

    /** The sampler as A1111 writes it in {@code Sampler:}, whatever alias the request used. */
    String samplerName() {
        return selection.sampler().name();
    }

    /** The schedule as A1111 writes it in {@code Schedule type:}; empty for the model's own. */
    Optional<String> scheduleType() {
        return selection.schedule().map(SamplerRegistry.ScheduleEntry::name);
    }

    /** The sampler's noise levels over {@code total} steps on {@code model}'s scheduler config, in the selected schedule. */
    Schedule schedule(StableDiffusion model, int total) {
        return model.schedule(sampler, selection.schedule().map(SamplerRegistry.ScheduleEntry::schedule), total);
    }
}
