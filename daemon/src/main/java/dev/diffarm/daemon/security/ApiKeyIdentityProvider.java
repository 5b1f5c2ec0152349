package dev.diffarm.daemon.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Turns a presented API key into the identity of its tenant and roles, or fails (401) for an unknown or revoked key. */
@ApplicationScoped
public class ApiKeyIdentityProvider implements IdentityProvider<ApiKeyRequest> {
    private final Identities identities;

    ApiKeyIdentityProvider(Identities identities) {
        this.identities = identities;
    }

    @Override
    public Class<ApiKeyRequest> getRequestType() {
        return ApiKeyRequest.class;
    }

    /** Off the event loop: the keys file is read on each check, so that a revoked key stops at once. */
    @Override
    public Uni<SecurityIdentity> authenticate(ApiKeyRequest request, AuthenticationRequestContext context) {
        return context.runBlocking(() -> identities.ofKey(request.key()).orElseThrow(() -> {
            boolean revoked = identities.wasRevoked(request.key());
            String code = revoked ? AuthRefusals.REVOKED_KEY : AuthRefusals.UNKNOWN_KEY;
            String message = revoked ? "the API key was revoked: its line is no longer in the keys file"
                    : "unknown API key: no line of the keys file holds its SHA-256";
            AuthRefusals.remember(HttpSecurityUtils.getRoutingContextAttribute(request), code, message);
            return new AuthenticationFailedException(message);
        }));
    }
}
