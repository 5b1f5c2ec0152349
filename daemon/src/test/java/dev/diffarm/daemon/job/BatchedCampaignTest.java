package dev.diffarm.daemon.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.EngineCalls;
import dev.diffarm.daemon.LocalFarm;
import dev.diffarm.daemon.Pixels;
import dev.diffarm.daemon.TinyEngine;
import dev.diffarm.daemon.local.LocalOutputStore;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.render.TaskRenderer;
import dev.diffarm.engine.image.PngReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 16-task campaign on the tiny model rendered with batching off and on (batches of 4): the same 16 images, decoded
 * pixel for pixel within float32 rounding, with the same infotext, and the same events.
 */
class BatchedCampaignTest {
    @RegisterExtension
    static final TinyEngine tiny = new TinyEngine();
    /** Two prompts, two styles (each its own negative prompt), four seeds: 16 tasks that differ in all three. */
    private static final String CAMPAIGN = """
            {"apiVersion": "diffarm/v1", "kind": "campaign", "id": "sixteen", "model": "tiny",
             "prompts": ["a painting of a cat in the snow", "a red house on a hill"],
             "styles": [{"name": "plain", "template": "{prompt}"},
                        {"name": "oil", "template": "an oil painting of {prompt}", "negativePrompt": "ugly, blurry"}],
             "seeds": [1, 2, 3, 4], "sizes": [{"width": 32, "height": 32}], "steps": 4,
             "sampler": "Euler a", "cfg": 7.0}""";

    @TempDir
    Path dir;

    private LocalFarm render(String name, int batchSize, List<Integer> batches) {
        Path local = dir.resolve(name);
        OutputStore store = new LocalOutputStore(local.resolve("outputs"));
        TaskRenderer renderer = EngineCalls.noted(tiny.renderer(dir.resolve("loras"), dir.resolve("embeddings")),
                tasks -> batches.add(tasks.size()));
        LocalFarm farm = new LocalFarm(local, tiny.models(), store, JobHandlers.images(renderer, store, batchSize));
        farm.drop("sixteen.json", CAMPAIGN);
        farm.runUntilIdle();
        return farm;
    }

    @Test
    void batchedImagesAreTheImagesRenderedOneByOne() throws IOException {
        List<Integer> aloneBatches = new ArrayList<>();
        List<Integer> batchedBatches = new ArrayList<>();
        LocalFarm alone = render("alone", 1, aloneBatches);
        LocalFarm batched = render("batched", 4, batchedBatches);

        assertEquals(List.of(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1), aloneBatches);
        assertEquals(List.of(4, 4, 4, 4), batchedBatches);
        assertEquals(alone.events.milestones("sixteen"), batched.events.milestones("sixteen"));
        assertEquals("completed", batched.registry.find("sixteen").orElseThrow().status().state());
        double worst = 0;
        for (int i = 0; i < 16; i++) {
            String key = String.format(Locale.ROOT, "jobs/sixteen/t%04d.png", i);
            Path one = alone.local.resolve("outputs").resolve(key);
            Path together = batched.local.resolve("outputs").resolve(key);
            assertEquals(PngReader.readParameters(one), PngReader.readParameters(together), key + " infotext");
            worst = Math.max(worst, Pixels.maxAbsDifference(PngReader.readImage(one), PngReader.readImage(together)));
        }
        System.out.printf("16-task campaign, batches of 4 vs one by one: max abs pixel difference %.3g (1/255 = %.3g)%n",
                worst, 1 / 255.0);
        // 8-bit PNGs: float32 rounding may move a value across a rounding boundary, by one level at most
        assertTrue(worst <= 1 / 255.0 + 1e-6, "max abs pixel difference " + worst);
    }
}
