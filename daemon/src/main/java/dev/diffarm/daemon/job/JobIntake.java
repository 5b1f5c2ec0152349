package dev.diffarm.daemon.job;

import dev.diffarm.daemon.port.Delivery;
import dev.diffarm.daemon.port.JobSource;
import dev.diffarm.farm.config.EventError;
import dev.diffarm.farm.config.Job;
import dev.diffarm.farm.config.JobEvent;
import dev.diffarm.farm.config.JobParser;
import dev.diffarm.farm.config.ParseResult;
import dev.diffarm.farm.config.ValidationError;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
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
            ValidationError.Code.UNKNOWN_KIND, ValidationError.Code.TOO_LARGE);
    /** The fields that say a JSON object is a diffarm job at all. */
    private static final Set<String> JOB_MARKERS = Set.of("apiVersion", "kind");

    private final JobParser parser;
    private final JobSource source;
    private final JobReporting reporting;
    private final IntakePolicy policy;

    public JobIntake(JobParser parser, JobSource source, JobReporting reporting, IntakePolicy policy) {
        this.parser = parser;
        this.source = source;
        this.reporting = reporting;
        this.policy = policy;
    }

    /**
     * Why {@code delivery} goes to the dead letters for the tenant it names, if it does: a {@value Delivery#TENANT_HEADER}
     * naming a tenant other than {@value Tenants#DEFAULT} on a source this daemon does not trust to name tenants (a
     * producer claiming another tenant's identity, or a farm whose setting is missing: either way not a job to run
     * as someone else), or, on a trusted source, a name that is no tenant name.
     */
    public Optional<String> tenantRefusal(Delivery delivery) {
        Optional<String> named = delivery.tenant();
        if (named.isEmpty()) {
            return Optional.empty();
        }
        String tenant = named.get();
        if (!policy.trustSourceTenants()) {
            return tenant.equals(Tenants.DEFAULT) ? Optional.empty() : Optional.of("the record names tenant \""
                    + Tenants.printable(tenant) + "\" in its " + Delivery.TENANT_HEADER + " header, but this daemon does"
                    + " not trust its jobs topic to name tenants (DIFFARM_KAFKA_TRUST_TENANT_HEADER is false)");
        }
        return Tenants.isValid(tenant) ? Optional.empty() : Optional.of(Delivery.TENANT_HEADER + " header \""
                + Tenants.printable(tenant) + "\": expected " + Tenants.EXPECTED);
    }

    /**
     * Whose a delivered job is: the tenant its delivery names when the farm trusts its source and the name is
     * valid, else {@value Tenants#DEFAULT}. (A job submitted over REST carries its caller's tenant in its delivery;
     * on the daemon that took the submission, the delivery takes over the attempt it recorded.)
     */
    public String tenantOf(Delivery delivery) {
        if (!policy.trustSourceTenants()) {
            return Tenants.DEFAULT;
        }
        return delivery.tenant().filter(Tenants::isValid).orElse(Tenants.DEFAULT);
    }

    /**
     * A delivered submission of {@code tenant} read and checked; an invalid one is already reported. One over
     * {@link IntakePolicy#maxJobBytes()} is refused by its size, unread.
     */
    public ParseResult read(Delivery delivery, String tenant) {
        long size = delivery.size();
        if (size > policy.maxJobBytes()) {
            return report(tooLarge("the submission", size), tenant);
        }
        return read(delivery.payload(), tenant);
    }

    /** The submission of {@code tenant} read and checked; an invalid one is already reported. */
    public ParseResult read(byte[] submission, String tenant) {
        return report(checked(submission), tenant);
    }

    /**
     * The job of a submission still waiting in its source, if the lifecycle would run it as it is (not a dead letter,
     * not rejected), read without reporting anything: for a worker that looks ahead at what waits (cross-job
     * batching). The lifecycle reads it again, reporting, when it takes it up.
     */
    public Optional<Job> peek(Delivery waiting) {
        if (tenantRefusal(waiting).isPresent() || waiting.size() > policy.maxJobBytes()) {
            return Optional.empty();
        }
        return checked(waiting.payload()) instanceof ParseResult.Valid valid ? Optional.of(valid.job())
                : Optional.empty();
    }

    /** The submission read and checked against the policy, nothing reported. */
    private ParseResult checked(byte[] submission) {
        if (submission.length > policy.maxJobBytes()) {
            return tooLarge("the submission", submission.length);
        }
        ParseResult result = parser.parse(submission);
        if (result instanceof ParseResult.Valid valid) {
            int written = valid.job().toJson().getBytes(StandardCharsets.UTF_8).length;
            List<ValidationError> overBudget = policy.budget().excess(valid.job());
            if (written > policy.maxJobBytes()) {
                String what = "the job with its defaults written out";
                result = new ParseResult.Invalid(valid.jobId(), tooLarge(what, written).errors());
            } else if (!overBudget.isEmpty()) {
                result = new ParseResult.Invalid(valid.jobId(), overBudget);
            }
        }
        return result;
    }

    /**
     * A job this farm accepted before, read again from its stored JSON (a chunk of a split job): checked as any job,
     * but a problem found now is not reported as a rejection, since the job was accepted when it was sent.
     */
    public ParseResult reread(byte[] acceptedJob) {
        return parser.parse(acceptedJob);
    }

    private ParseResult.Invalid tooLarge(String what, long size) {
        return new ParseResult.Invalid(Optional.empty(), List.of(ValidationError.tooLarge(what, size,
                policy.maxJobBytes(), IntakePolicy.MAX_JOB_BYTES_SETTING)));
    }

    /** Reports an invalid submission: its {@code rejected} event, and its record when its id is valid. */
    private ParseResult report(ParseResult result, String tenant) {
        if (result instanceof ParseResult.Invalid invalid) {
            invalid.jobId().ifPresent(id -> reporting.registry().rejected(id, tenant,
                    invalid.errors().stream().map(EventError::of).toList()));
            reporting.metrics().jobFinished(JobState.REJECTED);
            reporting.events().publish(JobEvent.Rejected.of(invalid).withTenant(tenant));
        }
        return result;
    }

    /** What became of a submission. */
    public sealed interface Submission {
        /** Not a valid job: every problem, already reported. */
        record Invalid(ParseResult.Invalid result) implements Submission {
        }

        /** Queued for a worker (or it already was): the job, and the attempt that runs it. */
        record Queued(Job job, TrackedJob attempt) implements Submission {
        }

        /** A valid job whose id belongs to another job; nothing changed. */
        record Taken(String message) implements Submission {
        }

        /** A valid job over its tenant's quota ({@code message} names the limit); nothing changed. */
        record OverQuota(String message) implements Submission {
        }
    }

    /**
     * Reads a submission of {@code tenant} and, if it is a valid job whose id is free or its own, puts it into the
     * source for a worker.
     *
     * @throws java.io.UncheckedIOException (or the source's exception) when the source cannot take it
     * @throws IllegalStateException          when the job is not {@value Tenants#DEFAULT}'s and the daemons taking
     *                                        jobs from the source do not trust it to name tenants: they would move
     *                                        the job to the dead letters (see {@link #tenantRefusal})
     */
    public Submission submit(byte[] submission, String tenant) {
        if (!policy.trustSourceTenants() && !tenant.equals(Tenants.DEFAULT)) {
            throw new IllegalStateException("a job of tenant \"" + Tenants.printable(tenant) + "\" cannot be queued on this"
                    + " farm's jobs topic: its daemons do not trust the topic to name tenants"
                    + " (DIFFARM_KAFKA_TRUST_TENANT_HEADER is false) and would move the job to the dead letters");
        }
        ParseResult result = read(submission, tenant);
        if (result instanceof ParseResult.Invalid invalid) {
            return new Submission.Invalid(invalid);
        }
        Job job = result.orElseThrow();
        JobRegistry.Admission admission = reporting.registry().queue(job, tenant);
        if (admission instanceof JobRegistry.Admission.Taken taken) {
            return new Submission.Taken(taken.message());
        }
        if (admission instanceof JobRegistry.Admission.OverQuota over) {
            return new Submission.OverQuota(over.message());
        }
        TrackedJob attempt = ((JobRegistry.Admission.Queued) admission).attempt();
        try {
            source.enqueue(job.id(), job.toJson(), tenant);
        } catch (RuntimeException e) {
            reporting.registry().withdraw(attempt);
            throw e;
        }
        return new Submission.Queued(job, attempt);
    }

    /**
     * Cancels a job: a queued one at once (with its {@code failed} event, code {@value JobLifecycle#CANCELLED}),
     * a running one before its next sampling step (a merge: before its next tensor).
     */
    public TrackedJob.CancelOutcome cancel(TrackedJob job) {
        TrackedJob.CancelOutcome outcome = job.requestCancel();
        if (outcome == TrackedJob.CancelOutcome.CANCELLED_WHILE_QUEUED) {
            EventError error = new EventError(JobLifecycle.CANCELLED,
                    "job " + job.id() + " was cancelled before it started");
            job.onError(error);
            reporting.events().publish(new JobEvent.Failed(job.id(), Optional.empty(), error));
            reporting.metrics().jobFinished(JobState.CANCELLED);
        }
        return outcome;
    }

    /**
     * Cancels the job of that id, whoever's it is (see {@link #cancel(TrackedJob)}).
     *
     * @return what happened; empty when the daemon does not know the job
     */
    public Optional<TrackedJob.CancelOutcome> cancel(String jobId) {
        return reporting.registry().find(jobId).map(this::cancel);
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
