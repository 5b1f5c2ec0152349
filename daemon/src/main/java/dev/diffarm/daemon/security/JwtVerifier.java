package dev.diffarm.daemon.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diffarm.daemon.job.Tenants;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a bearer JWT (compact JWS) offline against the one configured public key: its signature, {@code exp}
 * (required), {@code nbf}, {@code iss} (required, exactly the configured issuer) and, when one is configured,
 * {@code aud}. The tenant comes from a configured claim, the roles from {@code groups} (names other than
 * {@code submit}, {@code read}, {@code admin} are ignored: an identity provider's other groups mean nothing here).
 *
 * <p>The algorithm follows from the key, never from the token alone: an RSA key accepts RS256/384/512, an EC key
 * ES256/384/512, an Ed25519 key EdDSA. So {@code alg: none}, and an HMAC token signed with the public key's bytes as
 * its secret (the classic confusion attack), are refused before any signature is looked at. A header with
 * {@code crit} is refused: this verifier understands no extension.
 *
 * <p>The JDK's {@link Signature} does the cryptography; see the README for why not {@code smallrye-jwt}.
 */
public final class JwtVerifier {
    /** A token longer than this is refused unread: a real one is a few hundred bytes to a few KB. */
    static final int MAX_TOKEN_CHARS = 16 * 1024;
    private static final Pattern COMPACT_JWS = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PublicKey key;
    private final Map<String, String> algorithms;
    private final String issuer;
    private final Optional<String> audience;
    private final String tenantClaim;
    private final Duration clockSkew;
    private final Clock clock;

    /**
     * @param key         the public key every token must be signed with
     * @param issuer      the only accepted {@code iss}
     * @param audience    when present, {@code aud} must be or contain it
     * @param tenantClaim the claim naming the caller's tenant
     * @param clockSkew   how far this machine's clock and the issuer's may disagree on {@code exp} and {@code nbf}
     */
    public JwtVerifier(PublicKey key, String issuer, Optional<String> audience, String tenantClaim, Duration clockSkew,
                       Clock clock) {
        this.key = Objects.requireNonNull(key, "key");
        this.algorithms = algorithmsFor(key);
        this.issuer = requireText("issuer", issuer);
        this.audience = audience.filter(text -> !text.isBlank());
        this.tenantClaim = requireText("tenant claim", tenantClaim);
        if (clockSkew.isNegative()) {
            throw new IllegalArgumentException("clock skew " + clockSkew + ": expected zero or more");
        }
        this.clockSkew = clockSkew;
        this.clock = clock;
    }

    /** A caller the token names: its tenant and the roles of its {@code groups}. */
    public record Claims(String tenant, Set<Role> roles) {
        public Claims {
            roles = Set.copyOf(roles);
        }
    }

    /** Why a token is refused; the message is safe to show the caller (it never repeats the token). */
    public static final class Rejected extends Exception {
        Rejected(String message) {
            super(message, null, false, false);
        }
    }

    /** Whether {@code credential} has the shape of a compact JWS (three base64url parts), not that of an API key. */
    public static boolean looksLikeJwt(String credential) {
        return credential.length() <= MAX_TOKEN_CHARS && credential.startsWith("eyJ")
                && COMPACT_JWS.matcher(credential).matches();
    }

    /** The caller {@code token} names, once every check passed. */
    public Claims verify(String token) throws Rejected {
        if (!looksLikeJwt(token)) {
            throw new Rejected("the bearer token is not a JWT (expected three base64url parts separated by '.')");
        }
        String[] parts = token.split("\\.", -1);
        JsonNode header = json("header", parts[0]);
        String alg = header.path("alg").asText("");
        String signatureAlgorithm = algorithms.get(alg);
        if (signatureAlgorithm == null) {
            throw new Rejected("JWT alg \"" + printable(alg) + "\" is not accepted: expected one of "
                    + String.join(", ", algorithms.keySet().stream().sorted().toList()) + " for the configured "
                    + key.getAlgorithm() + " key");
        }
        if (header.has("crit")) {
            throw new Rejected("JWT header has \"crit\" extensions, which this daemon does not understand");
        }
        if (!signatureVerifies(signatureAlgorithm, parts)) {
            throw new Rejected("JWT signature does not verify against the configured public key (DIFFARM_JWT_PUBLIC_KEY)");
        }
        JsonNode claims = json("claims", parts[1]);
        checkTimes(claims);
        checkIssuer(claims);
        checkAudience(claims);
        return new Claims(tenant(claims), roles(claims));
    }

    private boolean signatureVerifies(String signatureAlgorithm, String[] parts) throws Rejected {
        byte[] signature = decode("signature", parts[2]);
        try {
            Signature verifier = Signature.getInstance(signatureAlgorithm);
            verifier.initVerify(key);
            verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            return verifier.verify(signature);
        } catch (java.security.SignatureException malformed) {
            // A signature of the wrong length or encoding: as unverified as a wrong one.
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(signatureAlgorithm + " is missing from this Java runtime", e);
        }
    }

    private void checkTimes(JsonNode claims) throws Rejected {
        Instant now = clock.instant();
        JsonNode exp = claims.get("exp");
        if (exp == null || !exp.isNumber()) {
            throw new Rejected("JWT has no numeric \"exp\" claim: tokens without an expiry are not accepted");
        }
        Instant expires = Instant.ofEpochSecond(exp.asLong());
        if (!now.isBefore(expires.plus(clockSkew))) {
            throw new Rejected("JWT expired at " + expires + " (now " + now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                    + ", clock skew allowed " + clockSkew.toSeconds() + " s)");
        }
        JsonNode nbf = claims.get("nbf");
        if (nbf != null) {
            if (!nbf.isNumber()) {
                throw new Rejected("JWT \"nbf\" claim is not a number");
            }
            Instant notBefore = Instant.ofEpochSecond(nbf.asLong());
            if (now.isBefore(notBefore.minus(clockSkew))) {
                throw new Rejected("JWT is not valid before " + notBefore);
            }
        }
    }

    private void checkIssuer(JsonNode claims) throws Rejected {
        String iss = claims.path("iss").asText("");
        if (!issuer.equals(iss)) {
            throw new Rejected("JWT issuer \"" + printable(iss) + "\": expected \"" + issuer + "\" (DIFFARM_JWT_ISSUER)");
        }
    }

    private void checkAudience(JsonNode claims) throws Rejected {
        if (audience.isEmpty()) {
            return;
        }
        JsonNode aud = claims.path("aud");
        boolean matches = aud.isTextual() ? aud.asText().equals(audience.get())
                : aud.isArray() && java.util.stream.StreamSupport.stream(aud.spliterator(), false)
                .anyMatch(entry -> entry.isTextual() && entry.asText().equals(audience.get()));
        if (!matches) {
            throw new Rejected("JWT audience does not include \"" + audience.get() + "\" (DIFFARM_JWT_AUDIENCE)");
        }
    }

    private String tenant(JsonNode claims) throws Rejected {
        JsonNode tenant = claims.get(tenantClaim);
        if (tenant == null || !tenant.isTextual()) {
            throw new Rejected("JWT has no text claim \"" + tenantClaim + "\" naming the tenant (DIFFARM_JWT_TENANT_CLAIM)");
        }
        if (!Tenants.isValid(tenant.asText())) {
            throw new Rejected("JWT claim \"" + tenantClaim + "\" = \"" + printable(tenant.asText()) + "\": expected "
                    + Tenants.EXPECTED);
        }
        return tenant.asText();
    }

    private static Set<Role> roles(JsonNode claims) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (JsonNode group : claims.path("groups")) {
            if (group.isTextual()) {
                Role.of(group.asText()).ifPresent(roles::add);
            }
        }
        return roles;
    }

    private static JsonNode json(String part, String base64url) throws Rejected {
        try {
            JsonNode node = JSON.readTree(decode(part, base64url));
            if (node == null || !node.isObject()) {
                throw new Rejected("JWT " + part + " is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new Rejected("JWT " + part + " is not JSON");
        }
    }

    private static byte[] decode(String part, String base64url) throws Rejected {
        try {
            return Base64.getUrlDecoder().decode(base64url);
        } catch (IllegalArgumentException e) {
            throw new Rejected("JWT " + part + " is not base64url");
        }
    }

    /** JWS {@code alg} names to the JDK's signature algorithms, for the kind of key configured. */
    private static Map<String, String> algorithmsFor(PublicKey key) {
        if (key instanceof RSAPublicKey) {
            return Map.of("RS256", "SHA256withRSA", "RS384", "SHA384withRSA", "RS512", "SHA512withRSA");
        }
        if (key instanceof ECPublicKey) {
            // JWS carries R and S side by side (IEEE P1363), not the DER sequence Java's plain ECDSA expects.
            return Map.of("ES256", "SHA256withECDSAinP1363Format", "ES384", "SHA384withECDSAinP1363Format",
                    "ES512", "SHA512withECDSAinP1363Format");
        }
        if (key instanceof EdECPublicKey) {
            return Map.of("EdDSA", "EdDSA");
        }
        throw new IllegalArgumentException("a " + key.getAlgorithm() + " public key: expected RSA, EC or Ed25519");
    }

    private static String requireText(String what, String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("the JWT " + what + " is empty");
        }
        return text;
    }

    /** A caller's value as an error message may repeat it: short, and without control characters. */
    static String printable(String text) {
        String shortened = text.length() <= 64 ? text : text.substring(0, 64) + "...";
        return shortened.replaceAll("\\p{Cntrl}", "?");
    }
}
