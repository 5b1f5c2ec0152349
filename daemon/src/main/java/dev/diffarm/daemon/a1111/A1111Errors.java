package dev.diffarm.daemon.a1111;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.diffarm.farm.config.EventError;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Optional;

/**
 * The body of an A1111 endpoint's error answer: diffarm's {@code errors} (code, message, field, as every endpoint
 * answers) and, for clients written against A1111, FastAPI's {@code detail} list ({@code loc}, {@code msg},
 * {@code type}) naming the same fields.
 *
 * @param errors what went wrong
 * @param detail the same, as FastAPI writes a validation error
 */
record A1111Errors(List<EventError> errors, List<Detail> detail) {
    /** At most this many problems are listed: a body with thousands of bad fields gets a short answer. */
    static final int MAX_LISTED = 50;
    /** 422, which JAX-RS names no constant for: A1111 (FastAPI) answers a request it cannot validate with it. */
    static final Response.StatusType UNPROCESSABLE = new Response.StatusType() {
        @Override
        public int getStatusCode() {
            return 422;
        }

        @Override
        public Response.Status.Family getFamily() {
            return Response.Status.Family.CLIENT_ERROR;
        }

        @Override
        public String getReasonPhrase() {
            return "Unprocessable Entity";
        }
    };

    /** One FastAPI validation item; {@code loc} is {@code ["body", field]}, or {@code ["body"]} for the whole body. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Detail(List<String> loc, String msg, String type) {
    }

    static Response response(Response.StatusType status, List<A1111Problem> problems) {
        List<A1111Problem> listed = problems.stream().limit(MAX_LISTED).toList();
        A1111Errors body = new A1111Errors(listed.stream().map(A1111Problem::toEventError).toList(),
                listed.stream().map(problem -> new Detail(problem.field().map(field -> List.of("body", field))
                        .orElse(List.of("body")), problem.message(), problem.code())).toList());
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }

    static Response response(Response.StatusType status, String code, String message) {
        return response(status, List.of(new A1111Problem(code, Optional.empty(), message)));
    }
}
