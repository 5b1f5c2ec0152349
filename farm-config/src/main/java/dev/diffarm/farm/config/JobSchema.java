package dev.diffarm.farm.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The JSON Schema (draft 2020-12) of every kind of job (render, campaign, merge), shipped in this jar at
 * {@value #RESOURCE} and served by the farm at {@code GET /schema}. It states the fields, types, ranges and defaults
 * that {@link JobParser} applies; what a schema cannot say (the task cap, distinct style names, the names the farm
 * has, whether a merge's output name is free) is in its description, and {@link JobParser} (or the farm) checks it.
 */
public final class JobSchema {
    /** Where the schema lies on the class path. */
    public static final String RESOURCE = "/dev/diffarm/farm/config/job.schema.json";

    private JobSchema() {
    }

    /** The schema's text. */
    public static String text() {
        try (InputStream in = JobSchema.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path: a broken diffarm-farm-config jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + RESOURCE, e);
        }
    }
}
