package dev.diffarm.daemon.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.farm.config.Campaign;
import dev.diffarm.farm.config.HiresSettings;
import dev.diffarm.farm.config.ImageModes;
import dev.diffarm.farm.config.RenderJob;
import dev.diffarm.farm.config.RenderSettings;
import dev.diffarm.farm.config.Size;
import dev.diffarm.farm.config.Style;
import dev.diffarm.farm.config.ValidationError;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class NodeBudgetTest {
    private static final NodeBudget SIXTEEN_GB = new NodeBudget(16_000_000_000L, 2000);

    private static RenderSettings steps(int steps) {
        return new RenderSettings("m", "", "Euler a", Optional.empty(), OptionalDouble.empty(), steps, 7, 1, List.of());
    }

    @Test
    void aHugeLongRenderIsOverBothLimitsNamingFieldsEstimatesAndSettings() {
        RenderJob job = new RenderJob("huge", List.of("a"), List.of(1L), new Size(4096, 4096), steps(1000));
        List<ValidationError> problems = SIXTEEN_GB.excess(job);
        assertEquals(List.of("width, height = 4096x4096: an image of this size is estimated to need 34.4 GB of memory: "
                        + "expected at most 16.0 GB (DIFFARM_ADMIT_MAX_TASK_MEMORY_BYTES)",
                "steps = 1000 at 4096x4096: 16777 megapixel-steps per image: expected at most 2000 "
                        + "(DIFFARM_ADMIT_MAX_TASK_MEGAPIXEL_STEPS)"),
                problems.stream().map(ValidationError::message).toList());
        assertEquals(List.of(ValidationError.Code.OVER_BUDGET, ValidationError.Code.OVER_BUDGET),
                problems.stream().map(ValidationError::code).toList());
        assertEquals(List.of("width, height", "steps"), problems.stream().map(error -> error.field().orElseThrow()).toList());
    }

    @Test
    void everydayJobsFitAndACampaignNamesItsSize() {
        assertTrue(SIXTEEN_GB.excess(new RenderJob("sd15", List.of("a"), List.of(1L), new Size(512, 512), steps(50))).isEmpty());
        assertTrue(SIXTEEN_GB.excess(new RenderJob("xl", List.of("a"), List.of(1L), new Size(1024, 1024), steps(150))).isEmpty());
        Campaign campaign = new Campaign("c", List.of("a"), List.of(1L), List.of(new Size(512, 512), new Size(2048, 2048)),
                List.of(new Style("s", "{prompt}", "", List.of())), steps(500));
        List<ValidationError> problems = SIXTEEN_GB.excess(campaign);
        assertEquals(1, problems.size(), problems.toString());
        assertEquals("steps = 500 at 2048x2048: 2097 megapixel-steps per image: expected at most 2000 "
                + "(DIFFARM_ADMIT_MAX_TASK_MEGAPIXEL_STEPS)", problems.get(0).message());
    }

    @Test
    void aHiresPassIsEstimatedAtTheSizeItEndsWith() {
        RenderJob hires = new RenderJob("big", List.of("a"), List.of(1L), new Size(2048, 2048),
                steps(20).withModes(ImageModes.of(HiresSettings.of(2))));
        List<ValidationError> problems = SIXTEEN_GB.excess(hires);

        assertEquals(List.of("width, height = 2048x2048 (4096x4096 after its hires pass or outpainting): an image of "
                + "this size is estimated to need 34.4 GB of memory: expected at most 16.0 GB "
                + "(DIFFARM_ADMIT_MAX_TASK_MEMORY_BYTES)"), problems.stream().map(ValidationError::message).toList());
        assertTrue(SIXTEEN_GB.excess(new RenderJob("small", List.of("a"), List.of(1L), new Size(2048, 2048), steps(20)))
                .isEmpty());
    }

    @Test
    void refusesUnusableSettingsNamingThem() {
        assertEquals("DIFFARM_ADMIT_MAX_TASK_MEMORY_BYTES = 0: expected a positive number of bytes",
                assertThrows(IllegalArgumentException.class, () -> new NodeBudget(0, 1)).getMessage());
        assertEquals("DIFFARM_ADMIT_MAX_TASK_MEGAPIXEL_STEPS = -1.0: expected a positive number",
                assertThrows(IllegalArgumentException.class, () -> new NodeBudget(1, -1)).getMessage());
    }
}
