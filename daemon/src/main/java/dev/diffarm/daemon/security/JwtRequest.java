package dev.diffarm.daemon.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** A bearer JWT as a request presented it, to be checked by {@link JwtIdentityProvider}. */
final class JwtRequest extends BaseAuthenticationRequest {
    private final String token;

    JwtRequest(String token) {
        this.token = token;
    }

    String token() {
        return token;
    }
}
