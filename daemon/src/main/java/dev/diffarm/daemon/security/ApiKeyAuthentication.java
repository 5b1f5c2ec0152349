package dev.diffarm.daemon.security;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the API key of a request, from {@code Authorization: Bearer <key>} or {@code X-Api-Key: <key>}; a credential
 * of a JWT's shape, when JWTs are configured, goes to {@link JwtIdentityProvider} instead. Without a keys file or a
 * JWT key, a caller connected from this machine gets the local identity and anyone else none. A request
 * without a key is anonymous: the permissions in {@code application.properties} answer it 401, except on
 * liveness.
 */
@ApplicationScoped
public class ApiKeyAuthentication implements HttpAuthenticationMechanism {
    static final String API_KEY_HEADER = "X-Api-Key";
    private static final String BEARER = "Bearer ";
    private static final ChallengeData CHALLENGE = new ChallengeData(401, "WWW-Authenticate", "Bearer realm=\"diffarm\"");

    private final Identities identities;
    private final AuthRefusals refusals;

    ApiKeyAuthentication(Identities identities, AuthRefusals refusals) {
        this.identities = identities;
        this.refusals = refusals;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager providers) {
        if (!identities.keysRequired()) {
            // The daemon refuses to start beyond localhost without keys; this also covers the moment before that check.
            return Uni.createFrom().item(isFromThisMachine(context.request()) ? Identities.local() : null);
        }
        Optional<String> key = presentedKey(context.request());
        if (key.isEmpty()) {
            return Uni.createFrom().nullItem();
        }
        AuthenticationRequest request = identities.acceptsJwt(key.get()) ? new JwtRequest(key.get())
                : new ApiKeyRequest(key.get());
        return providers.authenticate(HttpSecurityUtils.setRoutingContextAttribute(request, context));
    }

    /** The key of the request: the bearer token, else the {@value #API_KEY_HEADER} header; empty when it has neither. */
    static Optional<String> presentedKey(HttpServerRequest request) {
        String authorization = request.getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.of(authorization.substring(BEARER.length()).strip());
        }
        return Optional.ofNullable(request.getHeader(API_KEY_HEADER)).map(String::strip);
    }

    private static boolean isFromThisMachine(HttpServerRequest request) {
        SocketAddress remote = request.remoteAddress();
        return remote != null && remote.hostAddress() != null && Identities.isLoopback(remote.hostAddress());
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(CHALLENGE);
    }

    /** The 401 with a JSON body saying what was wrong, rather than the bare challenge. */
    @Override
    public Uni<Boolean> sendChallenge(RoutingContext context) {
        refusals.unauthorized(context);
        return Uni.createFrom().item(true);
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(ApiKeyRequest.class, JwtRequest.class);
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.AUTHORIZATION, "bearer"));
    }
}
