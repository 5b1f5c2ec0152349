package dev.diffarm.farm.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link JobParser} made of a submission: a {@link Valid} job, or the problems that make it
 * {@link Invalid}.
 * <pre>{@code
 * ParseResult result = parser.parse(message);
 * if (result instanceof ParseResult.Invalid invalid) {
 *     invalid.errors().forEach(error -> log.warn(error.message()));
 * }
 * Job job = result.orElseThrow();
 * }</pre>
 */
public sealed interface ParseResult permits ParseResult.Valid, ParseResult.Invalid {

    /** The job's id: present for every valid job, and for an invalid one whose id itself is valid. */
    Optional<String> jobId();

    /** The problems found; empty for a valid job. */
    List<ValidationError> errors();

    /** The job, if valid; otherwise an {@link InvalidJobException} with every problem. */
    Job orElseThrow();

    /** A job without problems. */
    record Valid(Job job) implements ParseResult {
        public Valid {
            Objects.requireNonNull(job, "job");
        }

        @Override
        public Optional<String> jobId() {
            return Optional.of(job.id());
        }

        @Override
        public List<ValidationError> errors() {
            return List.of();
        }

        @Override
        public Job orElseThrow() {
            return job;
        }
    }

    /**
     * A submission with at least one problem. Problems come in the order of their fields in the document;
     * those of missing fields, and of the job as a whole, last.
     *
     * @param jobId  the submission's id, when it has a valid one (for keying the {@code rejected} event)
     * @param errors every problem found
     */
    record Invalid(Optional<String> jobId, List<ValidationError> errors) implements ParseResult {
        public Invalid {
            Objects.requireNonNull(jobId, "jobId");
            errors = List.copyOf(errors);
            if (errors.isEmpty()) {
                throw new IllegalArgumentException("an invalid job has at least one error");
            }
        }

        @Override
        public Job orElseThrow() {
            throw new InvalidJobException(errors);
        }
    }
}
