package dev.diffarm.daemon.rest;

import dev.diffarm.daemon.job.Tenants;
import dev.diffarm.farm.config.EventError;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The body of every error answer: {@code {"errors": [{"code": ..., "message": ..., "field": ...}]}}, the
 * same error objects as the events carry.
 *
 * @param errors what went wrong, each with a stable code and a message for people
 */
public record ApiErrors(List<EventError> errors) {
    /** Codes of errors that concern no job field. */
    static final String UNKNOWN_JOB = "unknown-job";
    static final String JOB_ENDED = "job-ended";
    static final String ID_TAKEN = "id-taken";
    static final String OVER_QUOTA = "over-quota";
    static final String QUEUE_UNAVAILABLE = "queue-unavailable";
    static final String STORE_UNAVAILABLE = "store-unavailable";
    static final String NOT_JSON_CONTENT = "unsupported-media-type";
    static final String TOO_FAST = "rate-limited";
    static final String TOO_MANY_STREAMS = "too-many-streams";

    static Response response(Response.Status status, List<EventError> errors) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ApiErrors(errors)).build();
    }

    static Response response(Response.Status status, String code, String message) {
        return response(status, List.of(new EventError(code, message)));
    }

    /**
     * A 415 for a body whose {@code Content-Type} is not JSON ({@code application/json} or a {@code +json} type,
     * any parameters); empty when it is. A job's bytes under another type were not meant as a job.
     */
    public static Optional<Response> unlessJson(MediaType type) {
        if (type != null && type.getType().equalsIgnoreCase("application")
                && (type.getSubtype().equalsIgnoreCase("json") || type.getSubtype().toLowerCase(Locale.ROOT).endsWith("+json"))) {
            return Optional.empty();
        }
        String sent = type == null ? "no Content-Type" : "Content-Type " + type.getType() + "/" + type.getSubtype();
        return Optional.of(response(Response.Status.UNSUPPORTED_MEDIA_TYPE, NOT_JSON_CONTENT,
                sent + ": expected application/json"));
    }

    static Response unknownJob(String id) {
        return response(Response.Status.NOT_FOUND, UNKNOWN_JOB, "no job \"" + id + "\" is known to this daemon "
                + "(it keeps the latest jobs since its start; outputs stay under jobs/" + id + "/, or tenants/<tenant>/jobs/"
                + id + "/ for a tenant other than " + Tenants.DEFAULT + ")");
    }
}
