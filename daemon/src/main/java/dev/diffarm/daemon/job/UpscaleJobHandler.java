package dev.diffarm.daemon.job;

import ai.djl.ndarray.NDArray;
import dev.diffarm.api.Progress;
import dev.diffarm.api.upscale.TileLayout;
import dev.diffarm.api.upscale.Tiling;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.render.InputPictures;
import dev.diffarm.daemon.render.RenderException;
import dev.diffarm.daemon.render.UpscalerCache;
import dev.diffarm.engine.upscale.ExtrasUpscale;
import dev.diffarm.engine.upscale.ImageUpscaler;
import dev.diffarm.farm.config.EventError;
import dev.diffarm.farm.config.Limits;
import dev.diffarm.farm.config.TaskSpec;
import dev.diffarm.farm.config.UpscaleJob;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Upscale jobs: a task per picture, which upscales it with the job's upscaler as A1111's Extras tab does
 * ({@link ExtrasUpscale}, the code the CLI's {@code upscale} runs) and stores the PNG, then its sidecar; a task whose
 * sidecar is stored with the same parameter hash, its picture beside it, is stored. Progress counts tiles. The
 * upscaler is the worker's, loaded once for all the job's pictures and kept for the next job ({@link UpscalerCache}).
 */
final class UpscaleJobHandler implements JobHandler<UpscaleJob> {
    private final UpscalerCache upscalers;
    private final InputPictures pictures;
    private final OutputStore store;

    UpscaleJobHandler(UpscalerCache upscalers, InputPictures pictures, OutputStore store) {
        this.upscalers = upscalers;
        this.pictures = pictures;
        this.store = store;
    }

    @Override
    public JobWork plan(UpscaleJob job) {
        List<UpscaleTask> tasks = IntStream.range(0, job.taskCount()).mapToObj(i -> new UpscaleTask(job, i)).toList();
        return () -> tasks;
    }

    private final class UpscaleTask implements TaskWork {
        private final UpscaleJob job;
        private final int index;

        UpscaleTask(UpscaleJob job, int index) {
            this.job = job;
            this.index = index;
        }

        @Override
        public String id() {
            return job.taskId(index);
        }

        @Override
        public String key() {
            return job.imageKey(index);
        }

        @Override
        public String parameterHash() {
            return job.parameterHash(index);
        }

        @Override
        public boolean isStored() {
            return store.get(job.sidecarKey(index)).flatMap(TaskSpec::storedParameterHash)
                    .filter(parameterHash()::equals).isPresent() && store.exists(key());
        }

        @Override
        public Outcome run(TaskRun run) {
            long start = System.nanoTime();
            String field = "images[" + index + "]";
            byte[] png;
            try {
                InputPictures.SourcePicture source = pictures.readWithParameters(field, job.images().get(index));
                checkSize(field, source.pixels().width(), source.pixels().height());
                ImageUpscaler upscaler = upscalers.lease("upscaler", job.upscaler(),
                        new Tiling(job.tile(), job.tileOverlap(), TileLayout.GRID));
                png = ExtrasUpscale.png(source.pixels(), source.parameters(), upscaler, job.scale(), tiles(run));
            } catch (RenderException e) {
                throw new TaskFailure(new EventError(e.code(), e.getMessage()), e);
            }
            long made = System.nanoTime();
            // The sidecar last: a stored sidecar is the sign that the picture is complete.
            store.put(key(), png, "image/png");
            store.put(job.sidecarKey(index), job.sidecarJson(index).getBytes(StandardCharsets.UTF_8), "application/json");
            run.metrics().taskRendered(Duration.ofNanos(System.nanoTime() - start), Duration.ofNanos(made - start));
            return Outcome.MADE;
        }

        /** Refuses a picture whose upscaled sides would pass {@value Limits#MAX_UPSCALED_SIDE} px, before any work. */
        private void checkSize(String field, int width, int height) {
            int upscaledWidth = ExtrasUpscale.upscaledSide(width, job.scale());
            int upscaledHeight = ExtrasUpscale.upscaledSide(height, job.scale());
            if (Math.max(upscaledWidth, upscaledHeight) > Limits.MAX_UPSCALED_SIDE) {
                throw new RenderException(RenderException.INPUT_INVALID, field + " is " + width + "x" + height
                        + ": at scale " + job.scale() + " it would become " + upscaledWidth + "x" + upscaledHeight
                        + ", expected at most " + Limits.MAX_UPSCALED_SIDE + " px on a side", null);
            }
            if (upscaledWidth == 0 || upscaledHeight == 0) {
                throw new RenderException(RenderException.INPUT_INVALID, field + " is " + width + "x" + height
                        + ": at scale " + job.scale() + " a side would be under 8 px (A1111 rounds down to multiples "
                        + "of 8)", null);
            }
        }
    }

    /** Each tile a step of the task; a cancelled job stops before the next tile. */
    private static Progress tiles(TaskRun run) {
        return new Progress() {
            @Override
            public void onStep(int step, int total, NDArray x) {
                run.step(step + 1, total);
            }

            @Override
            public boolean isCancelled() {
                return run.isCancelled();
            }
        };
    }
}
