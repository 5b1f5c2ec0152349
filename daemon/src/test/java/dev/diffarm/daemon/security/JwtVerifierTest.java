package dev.diffarm.daemon.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JwtVerifierTest {
    private static final Instant NOW = Instant.parse("2026-12-06T21:00:00Z");
    private static final long IN_AN_HOUR = NOW.getEpochSecond() + 3600;
    private static final KeyPair RSA = TestJwts.rsa();

    @TempDir
    Path dir;

    private static JwtVerifier verifier(KeyPair pair) {
        return new JwtVerifier(pair.getPublic(), "https://idp.example", Optional.of("diffarm"), "tenant",
                Duration.ofSeconds(30), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private static String reason(JwtVerifier verifier, String token) {
        return assertThrows(JwtVerifier.Rejected.class, () -> verifier.verify(token)).getMessage();
    }

    @Test
    void acceptsAValidTokenWithItsTenantAndKnownRoles() throws Exception {
        String token = TestJwts.rs256(RSA.getPrivate(),
                TestJwts.claims("https://idp.example", "diffarm", "acme", IN_AN_HOUR, "submit", "read", "marketing"));
        JwtVerifier.Claims claims = verifier(RSA).verify(token);
        assertEquals("acme", claims.tenant());
        assertEquals(EnumSet.of(Role.SUBMIT, Role.READ), claims.roles(), "unknown groups ignored");
    }

    @Test
    void refusesExpiredWrongIssuerWrongAudienceAndWrongKey() {
        JwtVerifier verifier = verifier(RSA);
        long anHourAgo = NOW.getEpochSecond() - 3600;
        assertEquals("JWT expired at 2026-12-06T20:00:00Z (now 2026-12-06T21:00:00Z, clock skew allowed 30 s)",
                reason(verifier, TestJwts.rs256(RSA.getPrivate(),
                        TestJwts.claims("https://idp.example", "diffarm", "acme", anHourAgo, "read"))));
        // Within the skew still good; just past it not.
        assertTrue(accepts(verifier, TestJwts.claims("https://idp.example", "diffarm", "acme", NOW.getEpochSecond() - 29, "read")));
        assertFalse(accepts(verifier, TestJwts.claims("https://idp.example", "diffarm", "acme", NOW.getEpochSecond() - 30, "read")));
        assertEquals("JWT issuer \"https://evil.example\": expected \"https://idp.example\" (DIFFARM_JWT_ISSUER)",
                reason(verifier, TestJwts.rs256(RSA.getPrivate(),
                        TestJwts.claims("https://evil.example", "diffarm", "acme", IN_AN_HOUR, "read"))));
        assertEquals("JWT audience does not include \"diffarm\" (DIFFARM_JWT_AUDIENCE)",
                reason(verifier, TestJwts.rs256(RSA.getPrivate(),
                        TestJwts.claims("https://idp.example", "other-app", "acme", IN_AN_HOUR, "read"))));
        KeyPair other = TestJwts.rsa();
        assertEquals("JWT signature does not verify against the configured public key (DIFFARM_JWT_PUBLIC_KEY)",
                reason(verifier, TestJwts.rs256(other.getPrivate(),
                        TestJwts.claims("https://idp.example", "diffarm", "acme", IN_AN_HOUR, "read"))));
    }

    @Test
    void refusesTamperedClaims() {
        String token = TestJwts.rs256(RSA.getPrivate(),
                TestJwts.claims("https://idp.example", "diffarm", "acme", IN_AN_HOUR, "read"));
        String[] parts = token.split("\\.");
        String forged = parts[0] + "." + TestJwts.encode(
                TestJwts.claims("https://idp.example", "diffarm", "globex", IN_AN_HOUR, "admin")) + "." + parts[2];
        assertEquals("JWT signature does not verify against the configured public key (DIFFARM_JWT_PUBLIC_KEY)",
                reason(verifier(RSA), forged));
    }

    @Test
    void refusesAlgNoneAndHmacSignedWithThePublicKey() throws Exception {
        String claims = TestJwts.claims("https://idp.example", "diffarm", "acme", IN_AN_HOUR, "admin");
        assertEquals("JWT alg \"none\" is not accepted: expected one of RS256, RS384, RS512 for the configured RSA key",
                reason(verifier(RSA), TestJwts.unsigned(claims)));
        // The confusion attack: HS256 with the public key's bytes as the shared secret.
        String input = TestJwts.encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + TestJwts.encode(claims);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(TestJwts.pem(RSA.getPublic()).getBytes(), "HmacSHA256"));
        String hs256 = input + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(input.getBytes()));
        assertTrue(reason(verifier(RSA), hs256).startsWith("JWT alg \"HS256\" is not accepted"));
    }

    @Test
    void refusesWhatIsNoJwtAndClaimsThatAreMissing() {
        JwtVerifier verifier = verifier(RSA);
        assertEquals("the bearer token is not a JWT (expected three base64url parts separated by '.')",
                reason(verifier, "an-api-key"));
        String noExpiry = "{\"iss\":\"https://idp.example\",\"aud\":\"diffarm\",\"tenant\":\"acme\"}";
        assertEquals("JWT has no numeric \"exp\" claim: tokens without an expiry are not accepted",
                reason(verifier, TestJwts.rs256(RSA.getPrivate(), noExpiry)));
        String noTenant = "{\"iss\":\"https://idp.example\",\"aud\":\"diffarm\",\"exp\":" + IN_AN_HOUR + "}";
        assertEquals("JWT has no text claim \"tenant\" naming the tenant (DIFFARM_JWT_TENANT_CLAIM)",
                reason(verifier, TestJwts.rs256(RSA.getPrivate(), noTenant)));
        assertEquals("JWT claim \"tenant\" = \"../x\": expected " + dev.diffarm.daemon.job.Tenants.EXPECTED,
                reason(verifier, TestJwts.rs256(RSA.getPrivate(),
                        TestJwts.claims("https://idp.example", "diffarm", "../x", IN_AN_HOUR, "read"))));
        String critical = TestJwts.signWithHeader(RSA.getPrivate(), "{\"alg\":\"RS256\",\"crit\":[\"exp\"]}",
                "SHA256withRSA", TestJwts.claims("https://idp.example", "diffarm", "acme", IN_AN_HOUR, "read"));
        assertEquals("JWT header has \"crit\" extensions, which this daemon does not understand", reason(verifier, critical));
    }

    @Test
    void verifiesEcAndEd25519KeysReadFromPem() throws Exception {
        KeyPair ec = TestJwts.pair("EC", 256);
        KeyPair ed = TestJwts.pair("Ed25519", 0);
        String claims = TestJwts.claims("https://idp.example", "diffarm", "acme", IN_AN_HOUR, "read");
        for (Object[] kind : new Object[][] {{ec, "ES256", "SHA256withECDSAinP1363Format"}, {ed, "EdDSA", "Ed25519"},
                {RSA, "RS512", "SHA512withRSA"}}) {
            KeyPair pair = (KeyPair) kind[0];
            Path pem = Files.writeString(dir.resolve(kind[1] + ".pem"), TestJwts.pem(pair.getPublic()));
            JwtVerifier verifier = new JwtVerifier(PemPublicKey.read("DIFFARM_JWT_PUBLIC_KEY", pem), "https://idp.example",
                    Optional.empty(), "tenant", Duration.ZERO, Clock.fixed(NOW, ZoneOffset.UTC));
            assertEquals(Set.of(Role.READ), verifier.verify(TestJwts.sign(pair.getPrivate(), (String) kind[1],
                    (String) kind[2], claims)).roles(), (String) kind[1]);
        }
        Path notPem = Files.writeString(dir.resolve("bad.pem"), "hello");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PemPublicKey.read("DIFFARM_JWT_PUBLIC_KEY", notPem));
        assertEquals("DIFFARM_JWT_PUBLIC_KEY = " + notPem + ": no -----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY-----"
                + " block; expected a PEM public key (RSA, EC or Ed25519)", e.getMessage());
    }

    private static boolean accepts(JwtVerifier verifier, String claims) {
        try {
            verifier.verify(TestJwts.rs256(RSA.getPrivate(), claims));
            return true;
        } catch (JwtVerifier.Rejected e) {
            return false;
        }
    }
}
