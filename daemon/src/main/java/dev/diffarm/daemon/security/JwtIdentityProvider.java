package dev.diffarm.daemon.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Turns a bearer JWT into the identity of the tenant and roles it names, or fails (401) saying why: expired, wrong
 * issuer or audience, a signature that does not verify, an algorithm the configured key does not take.
 */
@ApplicationScoped
public class JwtIdentityProvider implements IdentityProvider<JwtRequest> {
    private final Identities identities;

    JwtIdentityProvider(Identities identities) {
        this.identities = identities;
    }

    @Override
    public Class<JwtRequest> getRequestType() {
        return JwtRequest.class;
    }

    /** On the event loop: the check is one signature verification against a key in memory, no I/O. */
    @Override
    public Uni<SecurityIdentity> authenticate(JwtRequest request, AuthenticationRequestContext context) {
        try {
            return Uni.createFrom().item(identities.ofJwt(request.token()));
        } catch (JwtVerifier.Rejected rejected) {
            AuthRefusals.remember(HttpSecurityUtils.getRoutingContextAttribute(request),
                    AuthRefusals.INVALID_TOKEN, rejected.getMessage());
            return Uni.createFrom().failure(new AuthenticationFailedException(rejected.getMessage()));
        }
    }
}
