package dev.diffarm.engine.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import dev.diffarm.api.Denoiser;
import dev.diffarm.api.DiffusersEquivalent;
import dev.diffarm.api.NoiseSource;
import dev.diffarm.api.Progress;
import dev.diffarm.api.Sampler;
import dev.diffarm.api.Sigmas;
import dev.diffarm.engine.sampler.SamplerRegistry.SamplerEntry;
import dev.diffarm.engine.sampler.SamplerRegistry.Selection;
import dev.diffarm.engine.testing.ReferenceRuns;
import dev.diffarm.engine.testing.ReferenceRuns.Run;
import dev.diffarm.engine.testing.TestSamplers;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Names resolve to the plugins' samplers and schedules as AUTOMATIC1111, diffusers and k-diffusion users write them. */
class SamplerRegistryTest {
    private final SamplerRegistry registry = TestSamplers.registry();

    static Stream<Run> runs() {
        return ReferenceRuns.all().stream();
    }

    private Selection resolve(String name) {
        return registry.resolve(name, Optional.empty());
    }

    /**
     * A reference run's sampler name selects its diffusers class and options; where those ask for Karras sigmas the
     * name selects the Karras schedule instead, which gives the same levels (SchedulePluginParityTest).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void eachReferenceSamplerResolvesToItsSchedulerAndOptions(Run run) {
        Selection selection = resolve(run.sampler());
        assertEquals(run.sampler(), selection.name());
        Map<String, Object> options = new LinkedHashMap<>(run.schedulerOptions());
        boolean karras = Boolean.TRUE.equals(options.remove("use_karras_sigmas"));
        assertEquals(DiffusersEquivalent.of(run.diffusersClass(), options), selection.sampler().sampler().diffusers());
        assertEquals(karras ? Optional.of("Karras") : Optional.empty(), selection.schedule().map(s -> s.name()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "euler A                         | Euler a",
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
        assertEquals(resolve(expected), resolve(name));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "  dpm++ 2m sde karras   | DPM++ 2M SDE | Karras",
            "LMS Karras              | LMS          | Karras",
            "DPM++ 2M SDE Exponential| DPM++ 2M SDE | Exponential",
            "sample_euler karras     | Euler        | Karras"})
    void combinedNamesSelectASamplerAndASchedule(String name, String sampler, String schedule) {
        Selection selection = resolve(name);
        assertEquals(sampler, selection.sampler().name());
        assertEquals(schedule, selection.schedule().orElseThrow().name());
        assertEquals(sampler + " " + schedule, selection.name());
        assertEquals("samplers-k", selection.schedule().orElseThrow().origin().pluginId());
    }

    @Test
    void aScheduleMayBeGivenApart() {
        assertEquals(resolve("DPM++ 2M Karras"), registry.resolve("DPM++ 2M", Optional.of("karras")));
        assertEquals(resolve("DPM++ 2M Karras"), registry.resolve("DPM++ 2M Karras", Optional.of("Karras")));
        assertEquals(resolve("Euler"), registry.resolve("Euler", Optional.of("default")));
        assertEquals("DDIM Exponential", registry.resolve("DDIM", Optional.of("exponential")).name());
    }

    @Test
    void aScheduleThatContradictsTheNameIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> registry.resolve("LMS Karras", Optional.of("exponential")));
        assertEquals("sampler 'LMS Karras' names schedule 'Karras', but schedule 'exponential' was asked for: give the "
                + "sampler's own name ('LMS') with the schedule, or no schedule", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> registry.resolve("LMS Karras", Optional.of("default")));
    }

    @Test
    void anUnknownScheduleListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> registry.resolve("Euler", Optional.of("polyexponential")));
        assertEquals("unknown schedule 'polyexponential': expected default or one of Exponential, Karras", e.getMessage());
    }

    @Test
    void anUnknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> resolve("Euler z"));
        assertEquals("unknown sampler 'Euler z': expected one of DDIM, DPM++ 2M, DPM++ 2M SDE, DPM2, DPM2 a, Euler, "
                + "Euler a, Heun, LMS, PLMS, UniPC (or a diffusers scheduler class or k-diffusion sample_* name), "
                + "optionally followed by a schedule: Exponential, Karras", e.getMessage());
    }

    @Test
    void etaGoesToTheSamplersThatTakeOne() {
        Sampler ddim = registry.sampler(resolve("DDIM"), OptionalDouble.of(0.3));
        assertEquals(OptionalDouble.of(0.3), ddim.eta());
        assertEquals(OptionalDouble.of(1), registry.sampler(resolve("Euler a"), OptionalDouble.empty()).eta());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> registry.sampler(resolve("Euler"), OptionalDouble.of(0.5)));
        assertEquals("eta = 0.5: sampler 'Euler' adds no noise of its own and takes no eta; these do: DDIM, "
                + "DPM++ 2M SDE, DPM2 a, Euler a", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> registry.sampler(resolve("DDIM"), OptionalDouble.of(2)));
    }

    @Test
    void samplersAndSchedulesNameTheirPlugin() {
        assertEquals("samplers-k", resolve("Euler a").sampler().origin().pluginId());
        assertEquals("samplers-classic", resolve("PLMS").sampler().origin().pluginId());
        assertEquals(List.of(), registry.conflicts());
    }

    /** A sampler that only has names. */
    private record Named(String name, List<String> aliases, DiffusersEquivalent diffusers) implements Sampler {
        @Override
        public NDArray sample(Denoiser denoiser, NDArray x, Sigmas sigmas, NoiseSource noise, Progress progress) {
            throw new UnsupportedOperationException("names only");
        }
    }

    @Test
    void aTakenNameStaysWithTheFirstAndTheOtherIsListed() {
        PluginOrigin first = new PluginOrigin("a-plugin", "1.0");
        PluginOrigin second = new PluginOrigin("b-plugin", "2.0");
        Sampler heun = new Named("Heun", List.of("sample_heun"), DiffusersEquivalent.of("HeunDiscreteScheduler"));
        Sampler myHeun = new Named("heun", List.of(), DiffusersEquivalent.of("MyScheduler"));
        Sampler other = new Named("Other", List.of("SAMPLE_HEUN"), DiffusersEquivalent.of("HeunDiscreteScheduler"));
        SamplerRegistry mine = new SamplerRegistry("a test", List.of(new SamplerEntry(heun, first),
                new SamplerEntry(myHeun, second), new SamplerEntry(other, second)), List.of());

        assertSame(heun, mine.resolve("HEUN", Optional.empty()).sampler().sampler());
        assertSame(heun, mine.resolve("sample_heun", Optional.empty()).sampler().sampler());
        assertSame(heun, mine.resolve("HeunDiscreteScheduler", Optional.empty()).sampler().sampler());
        assertSame(other, mine.resolve("other", Optional.empty()).sampler().sampler());
        assertEquals(List.of("sampler 'heun' of b-plugin 2.0 ignored: the name is taken by 'Heun' of a-plugin 1.0",
                "name 'SAMPLE_HEUN' of sampler 'Other' (b-plugin 2.0) ignored: it is taken by 'Heun' of a-plugin 1.0"),
                mine.conflicts());
    }

    @Test
    void withNothingLoadedTheErrorSaysWhereItLooked() {
        SamplerRegistry empty = new SamplerRegistry("plugins directory /nowhere", List.of(), List.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> empty.resolve("Euler a", Optional.empty()));
        assertEquals("unknown sampler 'Euler a': no sampler is loaded (from plugins directory /nowhere)", e.getMessage());
    }
}
