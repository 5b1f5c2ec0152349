package dev.diffarm.daemon.job;

import dev.diffarm.daemon.port.JobSource;
import dev.diffarm.farm.config.EventError;
import dev.diffarm.farm.config.Job;
import dev.diffarm.farm.config.JobEvent;
import dev.diffarm.farm.config.JobParser;
import dev.diffarm.farm.config.ParseResult;
import dev.diffarm.farm.config.ValidationError;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The front door of the job flow, shared by every intake: it validates submissions against the farm's
 * catalog, reports the invalid ones ({@code rejected} event, a {@link JobState#REJECTED} record when the id
 * is valid), queues jobs submitted over REST, and cancels jobs.
 */
public final class JobIntake {
    /** Problems that make a submission no job at all, rather than a job with a bad field. */
    private static final Set<ValidationError.Code> NO_JOB = EnumSet.of(ValidationError.Code.NOT_JSON,
            ValidationError.Code.NOT_AN_OBJECT, ValidationError.Code.UNSUPPORTED_API_VERSION,
            ValidationError.Code.UNKNOWN_KIND);
    /** The fields that say a JSON object is a diffarm job at all. */
    private static final Set<String> JOB_MARKERS = Set.of("apiVersion", "kind");

    private final JobParser parser;
    private final JobSource source;
    private final JobReporting reporting;

    public JobIntake(JobParser parser, JobSource source, JobReporting reporting) {
        this.parser = parser;
        this.source = source;
        this.reporting = reporting;
    }

    /** The submission read and checked; an invalid one is already reported. */
    public ParseResult read(byte[] submission) {
        ParseResult result = parser.parse(submission);
        if (result instanceof ParseResult.Invalid invalid) {
            invalid.jobId().ifPresent(id -> reporting.registry().rejected(id,
                    invalid.errors().stream().map(EventError::of).toList()));
            reporting.metrics().jobFinished(JobState.REJECTED);
            reporting.events().publish(JobEvent.Rejected.of(invalid));
        }
        return result;
    }

    /**
     * Reads a submission and, if it is a valid job, puts it into the source for a worker.
     *
     * @throws java.io.UncheckedIOException (or the source's exception) when the source cannot take it
     */
    public ParseResult submit(byte[] submission) {
        ParseResult result = read(submission);
        if (result instanceof ParseResult.Valid valid) {
            Job job = valid.job();
            TrackedJob attempt = reporting.registry().queued(job);
            try {
                source.enqueue(job.id(), job.toJson());
            } catch (RuntimeException e) {
                reporting.registry().withdraw(attempt);
                throw e;
            }
        }
        return result;
    }

    /**
     * Cancels a job: a queued one at once (with its {@code failed} event, code {@value JobLifecycle#CANCELLED}),
     * a running one before its next sampling step (a merge: before its next tensor).
     *
     * @return what happened; empty when the daemon does not know the job
     */
    public Optional<TrackedJob.CancelOutcome> cancel(String jobId) {
        return reporting.registry().find(jobId).map(job -> {
            TrackedJob.CancelOutcome outcome = job.requestCancel();
            if (outcome == TrackedJob.CancelOutcome.CANCELLED_WHILE_QUEUED) {
                EventError error = new EventError(JobLifecycle.CANCELLED, "job " + jobId + " was cancelled before it started");
                job.onError(error);
                reporting.events().publish(new JobEvent.Failed(jobId, Optional.empty(), error));
                reporting.metrics().jobFinished(JobState.CANCELLED);
            }
            return outcome;
        });
    }

    /**
     * Whether the submission is no job at all: not JSON, not an object, or an object without a valid
     * {@code apiVersion} and {@code kind}. Such a submission is a dead letter; a job with a bad field is not.
     */
    public static boolean isNoJob(ParseResult.Invalid invalid) {
        return invalid.errors().stream().anyMatch(error -> NO_JOB.contains(error.code())
                || error.field().filter(JOB_MARKERS::contains).isPresent());
    }

    /** Every problem of an invalid submission, in one line, for a dead letter's reason. */
    public static String reason(ParseResult.Invalid invalid) {
        return invalid.errors().stream().map(error -> error.code().id() + ": " + error.message())
                .collect(Collectors.joining("; "));
    }
}
