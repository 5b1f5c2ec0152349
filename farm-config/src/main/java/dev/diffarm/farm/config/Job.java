package dev.diffarm.farm.config;

/**
 * A unit of work submitted to the farm: an {@link ImageJob} (a {@link RenderJob} or a {@link Campaign}) or a
 * {@link MergeJob}, a {@link TrainJob} or an {@link UpscaleJob}. Every job is a JSON object with {@code "apiVersion": "diffarm/v1"}, a {@code kind} and an
 * {@code id}:
 * <pre>{@code
 * {"apiVersion": "diffarm/v1", "kind": "render", "id": "cats-2024-06", "model": "sd15",
 *  "prompts": ["a cat in a hat"], "seeds": [1, 2]}
 * }</pre>
 *
 * <h2>The id is the idempotency key</h2>
 * Submitting a job again under the same id resumes it: every output is stored under {@code jobs/<id>/}, and an
 * image (or a merged model) already stored with the same parameters is not made again. So a producer that is
 * unsure whether a job arrived sends it again, unchanged; a producer that wants new outputs chooses a new id.
 *
 * <h2>Reading and writing</h2>
 * {@link JobParser} reads a job from JSON and reports every problem with the field it concerns;
 * {@link #toJson()} writes one, with every default spelt out. A job built in Java is checked by its
 * constructor against the same rules, with the same messages.
 *
 * <h2>Tasks</h2>
 * An image job expands into tasks, one image each, in a fixed order: see {@link ImageJob#plan()}. A merge job and a
 * train job are one task each.
 */
public sealed interface Job permits ImageJob, MergeJob, TrainJob, UpscaleJob {
    /** The version of this contract, the value of every job's and event's {@code apiVersion}. */
    String API_VERSION = "diffarm/v1";

    /** The idempotency key; also the object key prefix {@code jobs/<id>/} of the job's outputs. */
    String id();

    /** The value of the job's {@code kind} field: {@value RenderJob#KIND}, {@value Campaign#KIND}, {@value MergeJob#KIND}, {@value TrainJob#KIND} or {@value UpscaleJob#KIND}. */
    String kind();

    /** How many tasks the job has: its images (rendered or upscaled), or 1 for a merge or a training. */
    int taskCount();

    /**
     * Calls the method of {@code visitor} for this job's kind and returns its result. This is how code outside
     * the records tells the kinds apart: a new kind adds a method to {@link Visitor}, so every place that treats
     * jobs by kind stops compiling until it handles the new one.
     */
    <R> R accept(Visitor<R> visitor);

    /**
     * Something done differently for each kind of job, one method per kind.
     *
     * <p>Why a visitor rather than {@code instanceof} or a pattern {@code switch}: an {@code instanceof} chain
     * compiles when a kind is missing; exhaustive pattern {@code switch} over a sealed type needs Java 21, and the
     * build is on Java 17 (the machines' default JDK; moving every module and CI to 21 is a change of its own).
     * An interface with one method per kind is checked by the Java 17 compiler just as exhaustively.
     *
     * @param <R> what the visit returns
     */
    interface Visitor<R> {
        R render(RenderJob job);

        R campaign(Campaign job);

        R merge(MergeJob job);

        R train(TrainJob job);

        R upscale(UpscaleJob job);
    }

    /** The job as JSON, every field present (defaults included), so that parsing it gives this job back. */
    default String toJson() {
        return Json.write(JobJson.write(this));
    }
}
