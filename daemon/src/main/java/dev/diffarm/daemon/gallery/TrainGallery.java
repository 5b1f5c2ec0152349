package dev.diffarm.daemon.gallery;

import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.farm.config.Plan;
import dev.diffarm.farm.config.TrainJob;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A train job's overview, once its runs are done: per run a sheet of its samples over time
 * ({@code jobs/<id>/samples-<taskId>.png}: a row per sample step, a column per prompt), for a sweep the grid of the
 * sample prompts rendered with each result ({@link TrainJob#sweepGridKey()}: a row per combination, a column per
 * prompt), and the gallery page {@code jobs/<id>/index.html} showing the loss curves, the samples step by step and the
 * grid. Everything it shows is read from the store, where the runs put it.
 */
public final class TrainGallery {
    private TrainGallery() {
    }

    /** The key of run {@code taskId}'s sheet of samples over time. */
    public static String samplesSheetKey(TrainJob job, String taskId) {
        return Plan.prefix(job.id()) + "samples-" + taskId + ".png";
    }

    /** Stores the sheets, the grid and the page of {@code job}, and returns their keys, the page last. */
    public static List<String> store(TrainJob job, OutputStore store) {
        List<String> keys = new ArrayList<>();
        if (job.samples().any()) {
            for (TrainJob.Run run : job.runs()) {
                keys.add(put(store, samplesSheetKey(job, run.taskId()), samplesOverTime(job, run, store), "image/png"));
            }
            if (job.sweep().isSweep()) {
                keys.add(put(store, job.sweepGridKey(), sweepGrid(job, store), "image/png"));
            }
        }
        String page = TrainGalleryPage.index(job);
        keys.add(put(store, Plan.prefix(job.id()) + JobGallery.INDEX, page.getBytes(StandardCharsets.UTF_8),
                "text/html; charset=utf-8"));
        return keys;
    }

    private static byte[] samplesOverTime(TrainJob job, TrainJob.Run run, OutputStore store) {
        List<String> prompts = job.samples().samplePrompts();
        List<ContactSheet.Tile> tiles = new ArrayList<>();
        for (long step : job.samples().steps(run.settings().maxTrainSteps())) {
            for (int p = 0; p < prompts.size(); p++) {
                tiles.add(new ContactSheet.Tile("step " + step, prompts.get(p), sample(job, store, step, run, p)));
            }
        }
        return ContactSheet.render(job.id() + "  " + run.outputName() + ": samples over time (a row per step, seed "
                + job.samples().sampleSeed() + ")", tiles, prompts.size());
    }

    private static byte[] sweepGrid(TrainJob job, OutputStore store) {
        List<String> prompts = job.samples().samplePrompts();
        List<ContactSheet.Tile> tiles = new ArrayList<>();
        for (TrainJob.Run run : job.runs()) {
            for (int p = 0; p < prompts.size(); p++) {
                tiles.add(new ContactSheet.Tile(run.settings().label(), prompts.get(p),
                        sample(job, store, run.settings().maxTrainSteps(), run, p)));
            }
        }
        return ContactSheet.render(job.id() + ": sweep of " + job.runs().size() + " (a row per result, seed "
                + job.samples().sampleSeed() + ")", tiles, prompts.size());
    }

    /** The stored sample, or no bytes (drawn as a placeholder) when it is missing. */
    private static byte[] sample(TrainJob job, OutputStore store, long step, TrainJob.Run run, int prompt) {
        return store.get(job.sampleKey(step, run.taskId(), prompt)).orElse(new byte[0]);
    }

    private static String put(OutputStore store, String key, byte[] content, String contentType) {
        store.put(key, content, contentType);
        return key;
    }
}
