package dev.diffarm.daemon.job;

import dev.diffarm.daemon.port.JobParts;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.farm.config.ImageJob;
import dev.diffarm.farm.config.Job;
import dev.diffarm.farm.config.JobEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Splits a large image job into chunks of tasks that every daemon of the group takes ({@value #SETTING} tasks each),
 * and keeps, in the store, what the chunks share. Per split (a {@code round}; the same job sent again is a new one):
 * <ul>
 *   <li>{@code jobs/<id>/fanout/<round>/job.json}: the job as accepted (its JSON with defaults written out), from
 *       which any daemon plans it again: planning is deterministic, the same job always has the same tasks and keys;</li>
 *   <li>{@code .../cancelled}: the job was cancelled (on any node); no chunk renders a task after it is seen, no
 *       finalize completes;</li>
 *   <li>{@code .../failed}: a task of a chunk failed, and so did the job, as it does on one node: no chunk renders a
 *       task after it is seen; it holds the job's {@code failed} event, which its finalize record sends;</li>
 *   <li>{@code .../completed}: the job's overview is stored and its {@code completed} event sent, or its
 *       {@code failed} event sent, so that a finalize record sent twice (two daemons finishing their last chunks
 *       together, two chunks failing, a crash) does nothing again.</li>
 * </ul>
 * The store has no conditional write: that a job completes once rests on its finalize records all being keyed by its
 * id, so one partition holds them and one daemon handles them one after another.
 */
public final class FanOut {
    /** The setting of the chunk size. */
    public static final String SETTING = "DIFFARM_CHUNK_TASKS";
    private static final String JOB = "job.json";
    private static final String CANCELLED = "cancelled";
    private static final String FAILED = "failed";
    private static final String COMPLETED = "completed";

    private final JobParts parts;
    private final int chunkTasks;

    /**
     * @param parts      where the chunks and finalize records go
     * @param chunkTasks the most tasks a chunk has; a job with more tasks than this is split, 0 never splits
     * @throws IllegalArgumentException if {@code chunkTasks} is negative, naming {@value #SETTING}
     */
    public FanOut(JobParts parts, int chunkTasks) {
        this.parts = parts;
        this.chunkTasks = checkedChunkTasks(chunkTasks);
    }

    /** {@code chunkTasks} if it is 0 or more; else an error naming the setting. */
    public static int checkedChunkTasks(int chunkTasks) {
        if (chunkTasks < 0) {
            throw new IllegalArgumentException(SETTING + " = " + chunkTasks
                    + ": expected 0 (never split a job) or the most tasks of one chunk, 1 or more");
        }
        return chunkTasks;
    }

    /** Whether {@code job}, with {@code tasks} tasks, is split: an image job of more than {@value #SETTING} tasks. */
    boolean splits(Job job, int tasks) {
        return chunkTasks > 0 && job instanceof ImageJob && tasks > chunkTasks;
    }

    /**
     * Stores the job for the chunks, then sends one chunk per {@value #SETTING} tasks and waits until the broker has
     * them all; returns the chunks sent.
     */
    List<JobPart> split(Job job, String tenant, int tasks, OutputStore store) {
        String round = UUID.randomUUID().toString();
        store.put(folder(job.id(), round) + JOB, job.toJson().getBytes(StandardCharsets.UTF_8), "application/json");
        List<JobPart> chunks = new ArrayList<>();
        for (int from = 0, chunk = 0; from < tasks; from += chunkTasks, chunk++) {
            chunks.add(JobPart.chunk(job.id(), tenant, round, chunk, from, Math.min(tasks, from + chunkTasks)));
        }
        // Each job's chunks start on a partition of their own, then go round every partition.
        int first = job.id().hashCode();
        parts.send(chunks.stream().map(part -> new JobParts.Part(part.key(), part.toJson(),
                OptionalInt.of(first + part.chunk()))).toList());
        return chunks;
    }

    /** Sends the job's finalize record, keyed by its id, and waits until the broker has it. */
    void sendFinalize(JobPart chunk) {
        JobPart finalizing = JobPart.finalizing(chunk.jobId(), chunk.tenant(), chunk.round());
        parts.send(List.of(new JobParts.Part(finalizing.key(), finalizing.toJson(), OptionalInt.empty())));
    }

    /** The job as stored when it was split; empty when it is not stored (a part of a split that never was). */
    Optional<byte[]> storedJob(OutputStore store, JobPart part) {
        return store.get(folder(part) + JOB);
    }

    boolean isCancelled(OutputStore store, JobPart part) {
        return store.exists(folder(part) + CANCELLED);
    }

    /** Whether the split job was cancelled or has failed: its chunks render no further task. */
    boolean hasStopped(OutputStore store, JobPart part) {
        List<String> marks = store.list(folder(part));
        return marks.contains(folder(part) + CANCELLED) || marks.contains(folder(part) + FAILED);
    }

    /** Marks the split job cancelled: its chunks render no further task, it never completes. */
    static void cancel(OutputStore store, String jobId, String round) {
        store.put(folder(jobId, round) + CANCELLED, new byte[0], "application/octet-stream");
    }

    /**
     * Marks every split of the job that has not ended cancelled (a node that runs none of its chunks cancels it so);
     * returns how many.
     */
    static int cancelAll(OutputStore store, String jobId) {
        String splits = "jobs/" + jobId + "/fanout/";
        Set<String> rounds = new TreeSet<>();
        Set<String> ended = new HashSet<>();
        for (String key : store.list(splits)) {
            String[] round = key.substring(splits.length()).split("/", 2);
            if (round.length == 2) {
                rounds.add(round[0]);
                if (round[1].equals(COMPLETED) || round[1].equals(CANCELLED)) {
                    ended.add(round[0]);
                }
            }
        }
        rounds.removeAll(ended);
        rounds.forEach(round -> cancel(store, jobId, round));
        return rounds.size();
    }

    /**
     * Marks the split job failed, keeping its {@code failed} event for the finalize record to send: its chunks render
     * no further task. A second failure (another chunk's) replaces the first's event unless it was sent.
     */
    void markFailed(OutputStore store, JobPart part, JobEvent.Failed failed) {
        store.put(folder(part) + FAILED, failed.toJson().getBytes(StandardCharsets.UTF_8), "application/json");
    }

    /** The job's {@code failed} event when a chunk failed it; empty while none did. */
    Optional<JobEvent.Failed> failure(OutputStore store, JobPart part) {
        return store.get(folder(part) + FAILED).map(json -> (JobEvent.Failed) JobEvent.parse(
                new String(json, StandardCharsets.UTF_8)));
    }

    /** Whether the job's end ({@code completed} or {@code failed}) was sent. */
    boolean isCompleted(OutputStore store, JobPart part) {
        return store.exists(folder(part) + COMPLETED);
    }

    /** Marks the job's end ({@code completed} or {@code failed}) sent. */
    void markCompleted(OutputStore store, JobPart part) {
        store.put(folder(part) + COMPLETED, new byte[0], "application/octet-stream");
    }

    /**
     * Whether every task's outputs are stored. One listing of the job's folder first: a task whose main output is not
     * listed is not stored, and only when all are listed is each task asked ({@link TaskWork#isStored()}).
     */
    static boolean allStored(String jobId, List<? extends TaskWork> tasks, OutputStore store) {
        Set<String> listed = new HashSet<>(store.list("jobs/" + jobId + "/"));
        return tasks.stream().allMatch(task -> listed.contains(task.key())) && tasks.stream().allMatch(TaskWork::isStored);
    }

    private static String folder(JobPart part) {
        return folder(part.jobId(), part.round());
    }

    private static String folder(String jobId, String round) {
        return "jobs/" + jobId + "/fanout/" + round + "/";
    }
}
