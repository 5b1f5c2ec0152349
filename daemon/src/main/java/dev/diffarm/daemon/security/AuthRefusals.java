package dev.diffarm.daemon.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diffarm.daemon.rest.ApiErrors;
import dev.diffarm.farm.config.EventError;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * The bodies of 401 answers (403s: {@link RoleRefusals}): the same {@code {"errors": [{"code", "message"}]}} as every other error
 * ({@link ApiErrors}), saying what was wrong: {@value #NO_CREDENTIALS}, {@value #UNKNOWN_KEY}, {@value #REVOKED_KEY},
 * {@value #INVALID_TOKEN} (the token's fault: expired, wrong issuer, ...), {@value #NOT_LOCAL} (the keyless local
 * mode answers this machine only), and for 403 {@value #ROLE_MISSING}. The identity providers leave their reason on the
 * request ({@link #remember}); the challenge ({@link #unauthorized}) writes it. Never a credential in it.
 */
@ApplicationScoped
public class AuthRefusals {
    public static final String NO_CREDENTIALS = "no-credentials";
    public static final String UNKNOWN_KEY = "unknown-key";
    public static final String REVOKED_KEY = "revoked-key";
    public static final String INVALID_TOKEN = "invalid-token";
    public static final String NOT_LOCAL = "not-local";
    public static final String ROLE_MISSING = "role-missing";
    private static final String ATTRIBUTE = AuthRefusals.class.getName();
    private static final String CHALLENGE = "Bearer realm=\"diffarm\"";

    private final Identities identities;
    private final ObjectMapper json;

    AuthRefusals(Identities identities, ObjectMapper json) {
        this.identities = identities;
        this.json = json;
    }

    /** Why a credential was refused, for the answer. */
    private record Refusal(String code, String message) {
    }

    /** Leaves on the request why its credential was refused; {@code context} may be null outside HTTP. */
    static void remember(RoutingContext context, String code, String message) {
        if (context != null) {
            context.put(ATTRIBUTE, new Refusal(code, message));
        }
    }

    /**
     * Answers a request 401 with the reason its credential was refused, or that it had none. Every 401 comes here:
     * through {@link ApiKeyAuthentication#sendChallenge}, which Quarkus calls for an anonymous request that needs an
     * identity and for a credential that failed.
     */
    void unauthorized(RoutingContext context) {
        Refusal refusal = unauthenticated(context);
        byte[] body;
        try {
            body = json.writeValueAsBytes(new ApiErrors(List.of(new EventError(refusal.code(), refusal.message()))));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an error body is always JSON", e);
        }
        if (!context.response().headWritten()) {
            context.response().setStatusCode(401).putHeader("WWW-Authenticate", CHALLENGE)
                    .putHeader("Content-Type", "application/json").end(Buffer.buffer(body));
        }
    }

    private Refusal unauthenticated(RoutingContext context) {
        Refusal remembered = context.get(ATTRIBUTE);
        if (remembered != null) {
            return remembered;
        }
        if (!identities.keysRequired()) {
            return new Refusal(NOT_LOCAL, "without DIFFARM_API_KEYS_FILE this daemon answers callers on its own machine only");
        }
        if (ApiKeyAuthentication.presentedKey(context.request()).isEmpty()) {
            return new Refusal(NO_CREDENTIALS, "no credentials: send Authorization: Bearer <API key or JWT>, or "
                    + ApiKeyAuthentication.API_KEY_HEADER + ": <API key>");
        }
        return new Refusal(UNKNOWN_KEY, "the credentials were not accepted");
    }

    /** {@code tenant acme with roles [read]}. */
    static String describe(SecurityIdentity identity) {
        return "tenant " + Callers.tenant(identity) + " with roles " + identity.getRoles().stream().sorted().toList();
    }
}
