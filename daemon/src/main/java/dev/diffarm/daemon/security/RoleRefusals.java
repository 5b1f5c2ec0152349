package dev.diffarm.daemon.security;

import dev.diffarm.daemon.rest.ApiErrors;
import dev.diffarm.farm.config.EventError;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The 403 of a REST endpoint whose {@code @RolesAllowed} the caller lacks: the REST layer checks roles itself, after
 * the route's failure handler ({@link AuthRefusals}) had its turn, so its answer is mapped here, naming the caller's
 * roles and the ones the endpoint takes.
 */
public class RoleRefusals {
    private final SecurityIdentity caller;

    RoleRefusals(SecurityIdentity caller) {
        this.caller = caller;
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException refused, ResourceInfo resource, UriInfo uri,
                              jakarta.ws.rs.core.Request request) {
        String needed = Optional.ofNullable(resource.getResourceMethod())
                .map(method -> method.getAnnotation(RolesAllowed.class))
                .map(allowed -> " (it takes one of: " + String.join(", ", allowed.value()) + ")").orElse("");
        String message = "role missing: " + AuthRefusals.describe(caller) + " may not " + request.getMethod() + " /"
                + uri.getPath().replaceFirst("^/", "") + needed;
        return Response.status(Response.Status.FORBIDDEN).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiErrors(List.of(new EventError(AuthRefusals.ROLE_MISSING, message)))).build();
    }
}
