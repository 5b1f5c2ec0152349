package dev.diffarm.samplers.classic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.diffarm.api.Sampler;
import dev.diffarm.api.conformance.DeclaredExtensions;
import dev.diffarm.api.conformance.SamplerConformance;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every sampler this plugin declares passes the conformance kit; DDIM at several etas. */
class ClassicSamplersConformanceTest {
    static Stream<Sampler> samplers() {
        return DeclaredExtensions.of(Sampler.class).stream();
    }

    @Test
    void declaresEverySampler() {
        assertEquals(List.of("DDIM", "PLMS"), samplers().map(Sampler::name).sorted().toList());
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

    @ParameterizedTest
    @ValueSource(doubles = {0.3, 1})
    void ddimConformsWithEta(double eta) {
        System.out.println("eta " + eta + ": " + SamplerConformance.of(new Ddim().withEta(eta)).check());
    }

    @Test
    void ddimRefusesAnEtaOutsideZeroToOne() {
        assertEquals("eta = 1.5: expected a number in 0..1",
                assertThrows(IllegalArgumentException.class, () -> new Ddim(1.5)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Ddim(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new Ddim().withEta(-0.1));
    }
}
