package dev.diffarm.daemon.job;

import ai.djl.ndarray.NDArray;
import dev.diffarm.api.Progress;
import dev.diffarm.api.upscale.TileLayout;
import dev.diffarm.api.upscale.Tiling;
import dev.diffarm.api.image.Picture;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.render.EmbeddingDirectory;
import dev.diffarm.daemon.render.InputPictures;
import dev.diffarm.daemon.render.RenderException;
import dev.diffarm.daemon.render.UpscalerCache;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.sampler.SamplerRegistry;
import dev.diffarm.engine.train.data.Rgb8Image;
import dev.diffarm.engine.upscale.ExtrasUpscale;
import dev.diffarm.engine.upscale.ImageUpscaler;
import dev.diffarm.engine.upscale.sd.SdUpscale;
import dev.diffarm.engine.upscale.sd.SdUpscaleRequest;
import dev.diffarm.engine.upscale.sd.SdUpscaler;
import dev.diffarm.farm.config.EventError;
import dev.diffarm.farm.config.Limits;
import dev.diffarm.farm.config.SdUpscaleFields;
import dev.diffarm.farm.config.TaskSpec;
import dev.diffarm.farm.config.UpscaleJob;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * Upscale jobs: a task per picture, which upscales it with the job's upscaler as A1111's Extras tab does
 * ({@link ExtrasUpscale}, the code the CLI's {@code upscale} runs) and stores the PNG, then its sidecar; a task whose
 * sidecar is stored with the same parameter hash, its picture beside it, is stored. Progress counts tiles. An
 * upscaler that is an SD x4 upscaler runs that diffusion pipeline with the job's render fields instead
 * ({@link SdUpscaler}, as the CLI's {@code upscale --upscaler DIR}); progress counts sampling steps. The upscaler is
 * the worker's, loaded once for all the job's pictures and kept for the next job ({@link UpscalerCache}).
 */
final class UpscaleJobHandler implements JobHandler<UpscaleJob> {
    private final UpscalerCache upscalers;
    private final InputPictures pictures;
    private final OutputStore store;
    private final Supplier<SamplerRegistry> samplers;
    private final EmbeddingDirectory embeddings;

    /**
     * @param samplers   the samplers an SD x4 upscale may name
     * @param embeddings the embeddings its prompts may trigger
     */
    UpscaleJobHandler(UpscalerCache upscalers, InputPictures pictures, OutputStore store,
                      Supplier<SamplerRegistry> samplers, EmbeddingDirectory embeddings) {
        this.upscalers = upscalers;
        this.pictures = pictures;
        this.store = store;
        this.samplers = samplers;
        this.embeddings = embeddings;
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
                png = upscalers.isSdUpscaler(job.upscaler()) ? sdUpscale(field, run) : extrasUpscale(field, run);
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

        private byte[] extrasUpscale(String field, TaskRun run) {
            InputPictures.SourcePicture source = pictures.readWithParameters(field, job.images().get(index));
            checkSize(field, source.pixels().width(), source.pixels().height());
            ImageUpscaler upscaler = upscalers.lease("upscaler", job.upscaler(),
                    new Tiling(job.tile(), job.tileOverlap(), TileLayout.GRID));
            return ExtrasUpscale.png(source.pixels(), source.parameters(), upscaler, job.scale(), tiles(run));
        }

        /** The picture through the SD x4 upscaler, as the CLI's {@code upscale --upscaler DIR} with the same fields. */
        private byte[] sdUpscale(String field, TaskRun run) {
            SdUpscaleFields.Resolved fields = job.diffusion().resolve(job.id());
            SdUpscaler upscaler = upscalers.leaseSdUpscaler("upscaler", job.upscaler());
            if (job.scale() != upscaler.scale()) {
                throw new RenderException(RenderException.INPUT_INVALID, "scale = " + job.scale() + ": the SD x4 "
                        + "upscaler \"" + job.upscaler() + "\" enlarges by its VAE's factor; expected " + upscaler.scale()
                        + " (or no scale)", null);
            }
            if (fields.noiseLevel() > upscaler.highestNoiseLevel()) {
                throw new RenderException(RenderException.INPUT_INVALID, "noiseLevel = " + fields.noiseLevel()
                        + ": expected 0.." + upscaler.highestNoiseLevel() + " (the max_noise_level of \""
                        + job.upscaler() + "\")", null);
            }
            Rgb8Image pixels = pictures.readWithParameters(field, job.images().get(index)).pixels();
            SdUpscaleRequest request = new SdUpscaleRequest(Picture.fromRgb8(pixels.width(), pixels.height(),
                    pixels.rgb()), fields.prompt(), fields.negativePrompt(), fields.sampler(), fields.steps(),
                    fields.cfg(), fields.seed(), fields.noiseLevel(), Emphasis.ORIGINAL);
            try {
                return upscaler.upscale(new SdUpscale(samplers, embeddings.library()), request, tiles(run)).png();
            } catch (IllegalArgumentException e) {
                // the picture's size against the model's factor and largest side, as the engine checks it
                throw new RenderException(RenderException.INPUT_INVALID, field + ": " + e.getMessage(), e);
            }
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

    /** Each tile (or sampling step) a step of the task; a cancelled job stops before the next one. */
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
