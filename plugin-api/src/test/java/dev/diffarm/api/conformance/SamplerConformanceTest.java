package dev.diffarm.api.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The kit passes Euler's method and catches each mistake it is there to catch. */
class SamplerConformanceTest {
    @ParameterizedTest
    @ValueSource(ints = {SamplerConformance.MIN_STEPS, SamplerConformance.DEFAULT_STEPS, SamplerConformance.MAX_STEPS})
    void eulerPasses(int steps) {
        System.out.println(SamplerConformance.of(KitSamplers.euler()).steps(steps).check());
    }

    @ParameterizedTest
    @ValueSource(ints = {SamplerConformance.MIN_STEPS, SamplerConformance.DEFAULT_STEPS, SamplerConformance.MAX_STEPS})
    void callingTheModelAtTheNextLevelFailsTheStatistics(int steps) {
        SamplerConformance kit = SamplerConformance.of(KitSamplers.modelAtNextLevel()).steps(steps);
        AssertionError e = assertThrows(AssertionError.class, kit::checkStatistics);
        System.out.println("caught: " + e.getMessage());
        assertThrows(AssertionError.class, kit::check);
    }

    @Test
    void skippingTheLastStepFailsTheStepReports() {
        SamplerConformance kit = SamplerConformance.of(KitSamplers.skipsTheLastStep());
        AssertionError e = assertThrows(AssertionError.class, kit::checkReportsEveryStep);
        assertEquals("Euler skipping the last step: a run of 12 steps reported [0/11, 1/11, 2/11, 3/11, 4/11, 5/11, "
                + "6/11, 7/11, 8/11, 9/11, 10/11], expected [0/12, 1/12, 2/12, 3/12, 4/12, 5/12, 6/12, 7/12, 8/12, 9/12, "
                + "10/12, 11/12]", e.getMessage());
    }

    @Test
    void aStepThatKeepsItsArraysFailsTheLeakCheck() {
        AssertionError e = assertThrows(AssertionError.class, SamplerConformance.of(KitSamplers.leaky())::checkNoLeaks);
        assertTrue(e.getMessage().contains("a step leaks native memory"), e.getMessage());
    }

    @Test
    void ignoringCancellationFails() {
        AssertionError e = assertThrows(AssertionError.class,
                SamplerConformance.of(KitSamplers.deaf())::checkStopsWhenCancelled);
        assertTrue(e.getMessage().contains("the run went on to the end"), e.getMessage());
    }

    @Test
    void noiseOfItsOwnFailsDeterminism() {
        AssertionError e = assertThrows(AssertionError.class,
                SamplerConformance.of(KitSamplers.ownNoise())::checkDeterministic);
        assertTrue(e.getMessage().contains("two runs with the same seed gave different outputs"), e.getMessage());
    }

    @Test
    void checkListsEveryFailure() {
        AssertionError e = assertThrows(AssertionError.class, SamplerConformance.of(KitSamplers.leakyAndShort())::check);
        System.out.println(e.getMessage());
        String sampler = "\n  Euler without step scopes or its last step: ";
        assertTrue(e.getMessage().startsWith("2 conformance failure(s):" + sampler + "a run of 12 steps reported "),
                e.getMessage());
        assertTrue(e.getMessage().contains(sampler + "live arrays grew from "), e.getMessage());
    }

    @Test
    void stepsOutsideTheCalibratedRangeAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SamplerConformance.of(KitSamplers.euler()).steps(5));
        assertEquals("steps = 5: expected 10..50, the step counts the kit's tolerances are set for", e.getMessage());
    }
}
