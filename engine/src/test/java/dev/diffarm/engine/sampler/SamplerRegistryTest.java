package dev.diffarm.engine.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.engine.testing.ReferenceRuns;
import dev.diffarm.engine.testing.ReferenceRuns.Run;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class SamplerRegistryTest {
    private final SamplerRegistry registry = SamplerRegistry.builtIn();

    static Stream<Run> runs() {
        return ReferenceRuns.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void eachReferenceSamplerResolvesToItsSchedulerAndOptions(Run run) {
        SamplerRegistry.Entry entry = registry.resolve(run.sampler());
        assertEquals(run.sampler(), entry.name());
        assertEquals(run.diffusersClass(), entry.diffusersClass());
        assertEquals(run.schedulerOptions(), entry.schedulerOptions());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "euler A                         | Euler a",
            "  dpm++ 2m sde karras           | DPM++ 2M SDE Karras",
            "EulerAncestralDiscreteScheduler | Euler a",
            "eulerdiscretescheduler          | Euler",
            "LMSDiscreteScheduler            | LMS",
            "HeunDiscreteScheduler           | Heun",
            "KDPM2DiscreteScheduler          | DPM2",
            "KDPM2AncestralDiscreteScheduler | DPM2 a",
            "DPMSolverMultistepScheduler     | DPM++ 2M",
            "UniPCMultistepScheduler         | UniPC",
            "PNDMScheduler                   | PLMS",
            "DDIMScheduler                   | DDIM",
            "sample_euler                    | Euler",
            "sample_euler_ancestral          | Euler a",
            "sample_heun                     | Heun",
            "sample_dpm_2                    | DPM2",
            "SAMPLE_DPM_2_ANCESTRAL          | DPM2 a",
            "sample_lms                      | LMS",
            "sample_dpmpp_2m                 | DPM++ 2M",
            "sample_dpmpp_2m_sde             | DPM++ 2M SDE"})
    void otherSpellingsResolve(String name, String expected) {
        assertSame(registry.resolve(expected), registry.resolve(name));
    }

    @Test
    void karrasVariantsShareTheirSampler() {
        assertSame(registry.resolve("LMS").sampler(), registry.resolve("LMS Karras").sampler());
        assertSame(registry.resolve("DPM++ 2M SDE").sampler(), registry.resolve("DPM++ 2M SDE Karras").sampler());
        assertEquals(Map.of("algorithm_type", "sde-dpmsolver++", "use_karras_sigmas", true),
                registry.resolve("DPM++ 2M SDE Karras").schedulerOptions());
    }

    @Test
    void anUnknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> registry.resolve("Euler z"));
        assertTrue(e.getMessage().startsWith("unknown sampler 'Euler z': expected one of "), e.getMessage());
        for (String name : registry.names()) {
            assertTrue(e.getMessage().contains(name), () -> e.getMessage() + " lacks " + name);
        }
        assertEquals(14, registry.names().size(), registry.names().toString());
    }

    @Test
    void aTakenNameIsRefusedAndNothingIsAdded() {
        SamplerRegistry.Entry mine = new SamplerRegistry.Entry("My Heun", new Heun(), "MyScheduler", Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> registry.add(mine, "sample_euler"));
        assertEquals("sampler name 'sample_euler' is already taken by 'Euler'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> registry.resolve("My Heun"));
        assertThrows(IllegalArgumentException.class, () -> registry.add(mine, "sample_EULER_ancestral"));
    }
}
