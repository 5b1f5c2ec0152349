package dev.diffarm.daemon.rest;

import dev.diffarm.farm.config.EventError;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

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

    static Response response(Response.Status status, List<EventError> errors) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ApiErrors(errors)).build();
    }

    static Response response(Response.Status status, String code, String message) {
        return response(status, List.of(new EventError(code, message)));
    }

    static Response unknownJob(String id) {
        return response(Response.Status.NOT_FOUND, UNKNOWN_JOB, "no job \"" + id + "\" is known to this daemon "
                + "(it keeps the latest jobs since its start; outputs stay under jobs/" + id + "/)");
    }
}
