package dev.diffarm.farm.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.ToIntFunction;

/**
 * Reads jobs from JSON and reports every problem, each naming the field (a path such as {@code prompts[2]}
 * or {@code styles[0].template}), the value and what was expected.
 * <pre>{@code
 * JobParser parser = new JobParser(farmCatalog);      // or new JobParser() in a producer
 * ParseResult result = parser.parse(kafkaRecord.value());
 * }</pre>
 *
 * <p>What it refuses: text that is not JSON or repeats a field name; JSON that is not an object; an
 * {@code apiVersion} other than {@value Job#API_VERSION}; a {@code kind} other than {@code render},
 * {@code campaign} and {@code merge}; a missing required field; a field the object does not have (a typo must not pass
 * silently); a value of the wrong type ({@code "20"} for 20); a value out of range ({@link Limits}); a list
 * that is empty, too long or names an item twice; a job of more than {@value Limits#MAX_TASKS} tasks; text with control
 * characters or a malformed {@code <lora:...>} tag; JSON nested deeper than {@value Limits#MAX_NESTING_DEPTH} or
 * with a number longer than {@value Limits#MAX_NUMBER_LENGTH} characters; and a model,
 * sampler, schedule or LoRA the {@link Catalog} does not know. {@code null} is a value of the wrong type, not
 * an absent field. Fields left out take the {@link Defaults}. At most {@value Limits#MAX_ERRORS} problems are listed;
 * one more error counts the rest.
 *
 * <p>A parser is immutable and may be shared between threads if its catalog may.
 */
public final class JobParser {
    private final Catalog catalog;

    /** A parser that checks names against {@code catalog}. */
    public JobParser(Catalog catalog) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
    }

    /** A parser that leaves names to the farm ({@link Catalog#unchecked()}): what a producer uses. */
    public JobParser() {
        this(Catalog.unchecked());
    }

    /** Parses a job from JSON text. */
    public ParseResult parse(String json) {
        Objects.requireNonNull(json, "json");
        try {
            return parse(Json.read(json));
        } catch (JsonProcessingException e) {
            return notJson(e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading a string failed", e);
        }
    }

    /** Parses a job from JSON bytes (UTF-8, or UTF-16/32 with or without a byte order mark). */
    public ParseResult parse(byte[] json) {
        Objects.requireNonNull(json, "json");
        try {
            return parse(Json.read(json));
        } catch (JsonProcessingException e) {
            return notJson(e);
        } catch (IOException badEncoding) {
            return invalid(Optional.empty(), List.of(ValidationError.notJson(badEncoding.getMessage())));
        }
    }

    /**
     * The names in a job built in Java that the catalog does not know (its constructors already checked
     * everything else); empty when all are known.
     */
    public List<ValidationError> checkNames(Job job) {
        List<ValidationError> errors = new ArrayList<>();
        new CatalogCheck(catalog, errors::add).check(job);
        return List.copyOf(errors);
    }

    private ParseResult parse(JsonNode root) {
        if (root == null || root.isMissingNode()) {
            return invalid(Optional.empty(), List.of(ValidationError.notJson("no JSON value in the input")));
        }
        List<ValidationError> errors = new ArrayList<>();
        Optional<Job> job = JobReader.read(root, errors::add);
        job.ifPresent(found -> new CatalogCheck(catalog, errors::add).check(found));
        if (errors.isEmpty()) {
            return new ParseResult.Valid(job.orElseThrow());
        }
        return invalid(root.isObject() ? JobReader.id(root) : Optional.empty(), capped(inDocumentOrder(root, errors)));
    }

    /** The first {@value Limits#MAX_ERRORS} errors and one counting the rest: an answer and a record stay small. */
    private static List<ValidationError> capped(List<ValidationError> errors) {
        if (errors.size() <= Limits.MAX_ERRORS) {
            return errors;
        }
        List<ValidationError> listed = new ArrayList<>(errors.subList(0, Limits.MAX_ERRORS));
        listed.add(ValidationError.notListed(errors.size() - Limits.MAX_ERRORS, Limits.MAX_ERRORS));
        return listed;
    }

    /**
     * The errors sorted by where their top-level field stands in the document, so that an author can fix
     * them top to bottom; errors of missing fields and of the job as a whole come last. The sort is stable.
     */
    private static List<ValidationError> inDocumentOrder(JsonNode root, List<ValidationError> errors) {
        List<String> fields = new ArrayList<>();
        root.fieldNames().forEachRemaining(fields::add);
        ToIntFunction<ValidationError> position = error -> error.field()
                .map(field -> fields.indexOf(field.split("[.\\[]", 2)[0]))
                .filter(index -> index >= 0)
                .orElse(fields.size());
        return errors.stream().sorted(Comparator.comparingInt(position)).toList();
    }

    private static ParseResult notJson(JsonProcessingException e) {
        JsonLocation where = e.getLocation();
        String location = where == null ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
        return invalid(Optional.empty(), List.of(ValidationError.notJson(e.getOriginalMessage() + location)));
    }

    private static ParseResult invalid(Optional<String> jobId, List<ValidationError> errors) {
        return new ParseResult.Invalid(jobId, errors);
    }
}
