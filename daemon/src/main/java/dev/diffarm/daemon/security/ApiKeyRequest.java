package dev.diffarm.daemon.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** An API key as a request presented it, to be checked by {@link ApiKeyIdentityProvider}. */
final class ApiKeyRequest extends BaseAuthenticationRequest {
    private final String key;

    ApiKeyRequest(String key) {
        this.key = key;
    }

    String key() {
        return key;
    }
}
