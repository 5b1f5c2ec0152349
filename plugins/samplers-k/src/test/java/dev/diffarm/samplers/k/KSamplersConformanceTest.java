package dev.diffarm.samplers.k;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.diffarm.api.Sampler;
import dev.diffarm.api.conformance.DeclaredExtensions;
import dev.diffarm.api.conformance.SamplerConformance;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every sampler this plugin declares passes the conformance kit, at its defaults and at other etas. */
class KSamplersConformanceTest {
    static Stream<Sampler> samplers() {
        return DeclaredExtensions.of(Sampler.class).stream();
    }

    static Stream<Sampler> samplersWithOtherEtas() {
        return samplers().filter(s -> s.eta().isPresent()).flatMap(s -> Stream.of(s.withEta(0), s.withEta(0.5)));
    }

    @Test
    void declaresEverySampler() {
        assertEquals(List.of("DPM++ 2M", "DPM++ 2M SDE", "DPM2", "DPM2 a", "Euler", "Euler a", "Heun", "LMS", "UniPC"),
                samplers().map(Sampler::name).sorted().toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samplers")
    void conforms(Sampler sampler) {
        for (int steps : new int[] {SamplerConformance.MIN_STEPS, SamplerConformance.DEFAULT_STEPS,
                SamplerConformance.MAX_STEPS}) {
            System.out.println(SamplerConformance.of(sampler).steps(steps).checkStatistics());
        }
        SamplerConformance.of(sampler).check();
    }

    @ParameterizedTest(name = "{0} eta {index}")
    @MethodSource("samplersWithOtherEtas")
    void conformsAtOtherEtas(Sampler sampler) {
        System.out.println("eta " + sampler.eta().getAsDouble() + ": " + SamplerConformance.of(sampler).check());
    }
}
