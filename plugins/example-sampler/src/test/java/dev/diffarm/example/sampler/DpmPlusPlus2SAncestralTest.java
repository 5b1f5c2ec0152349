package dev.diffarm.example.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.diffarm.api.Sampler;
import dev.diffarm.api.conformance.DeclaredExtensions;
import dev.diffarm.api.conformance.SamplerConformance;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tests a sampler plugin needs: the conformance kit on every sampler it declares. The kit drives the sampler
 * with the exact denoiser of known data and checks its output's statistics, determinism, step reports, cancellation
 * and native memory; it throws an AssertionError that says what failed.
 */
class DpmPlusPlus2SAncestralTest {
    @Test
    void theJarDeclaresTheSampler() {
        assertEquals(List.of("DPM++ 2S a"), DeclaredExtensions.of(Sampler.class).stream().map(Sampler::name).toList());
    }

    @Test
    void conforms() {
        System.out.println(SamplerConformance.of(new DpmPlusPlus2SAncestral()).check());
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, 0.5})
    void conformsAtOtherEtas(double eta) {
        System.out.println("eta " + eta + ": " + SamplerConformance.of(new DpmPlusPlus2SAncestral(eta)).check());
    }
}
