package dev.diffarm.daemon.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.diffarm.daemon.TinyModel;
import dev.diffarm.daemon.security.TestJwts;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.specification.RequestSpecification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Bearer JWTs beside the API keys, and what a 401 or 403 says: every refusal a JSON body naming what was wrong (no
 * credentials, unknown key, revoked key, a token's fault, a missing role), in the form of every other error.
 */
@QuarkusTest
@TestProfile(ApiKeysProfile.class)
@QuarkusTestResource(LocalDaemonResource.class)
class AuthAnswersTest {
    @ConfigProperty(name = "diffarm.jwt.public-key")
    String publicKeyFile;

    private PrivateKey signingKey() throws Exception {
        byte[] der = Files.readAllBytes(Path.of(publicKeyFile).resolveSibling(ApiKeysProfile.PRIVATE_KEY_FILE));
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
    }

    private static long inAnHour() {
        return Instant.now().getEpochSecond() + 3600;
    }

    private String token(String issuer, String tenant, long exp, String... groups) throws Exception {
        return TestJwts.rs256(signingKey(), TestJwts.claims(issuer, ApiKeysProfile.JWT_AUDIENCE, tenant, exp, groups));
    }

    private static RequestSpecification bearer(String credential) {
        return given().header("Authorization", "Bearer " + credential);
    }

    @Test
    void aValidJwtActsForItsTenantWithItsGroupsAsRoles() throws Exception {
        String initech = token(ApiKeysProfile.JWT_ISSUER, "initech", inAnHour(), "submit", "read", "sales");
        bearer(initech).get("/models").then().statusCode(200);
        bearer(initech).contentType("application/json").body(TinyModel.renderJob("initech-job", "[\"a cat\"]", "[1]", 2))
                .post("/jobs").then().statusCode(202).body("tenant", equalTo("initech"));
        bearer(initech).get("/jobs/initech-job").then().statusCode(200).body("tenant", equalTo("initech"));
        // Tenants are tenants, however they authenticate: an API key of acme does not see initech's job.
        bearer(ApiKeysProfile.ACME).get("/jobs/initech-job").then().statusCode(404);
        String reader = token(ApiKeysProfile.JWT_ISSUER, "initech", inAnHour(), "read");
        bearer(reader).contentType("application/json").body(TinyModel.renderJob("initech-2", "[\"a cat\"]", "[1]", 2))
                .post("/jobs").then().statusCode(403).body("errors[0].code", equalTo("role-missing"))
                .body("errors[0].message", equalTo("role missing: tenant initech with roles [read] may not POST /jobs"
                        + " (it takes one of: submit, admin)"));
    }

    @Test
    void expiredWrongIssuerWrongKeyAndUnsignedTokensAre401SayingWhy() throws Exception {
        long anHourAgo = Instant.now().getEpochSecond() - 3600;
        bearer(token(ApiKeysProfile.JWT_ISSUER, "initech", anHourAgo, "read")).get("/models").then().statusCode(401)
                .header("WWW-Authenticate", containsString("Bearer"))
                .body("errors[0].code", equalTo("invalid-token"))
                .body("errors[0].message", containsString("JWT expired at " + Instant.ofEpochSecond(anHourAgo)));
        bearer(token("https://evil.test", "initech", inAnHour(), "admin")).get("/models").then().statusCode(401)
                .body("errors[0].message", equalTo("JWT issuer \"https://evil.test\": expected \"https://idp.test\" "
                        + "(DIFFARM_JWT_ISSUER)"));
        String otherKey = TestJwts.rs256(TestJwts.rsa().getPrivate(), TestJwts.claims(ApiKeysProfile.JWT_ISSUER,
                ApiKeysProfile.JWT_AUDIENCE, "initech", inAnHour(), "admin"));
        bearer(otherKey).get("/models").then().statusCode(401).body("errors[0].message",
                equalTo("JWT signature does not verify against the configured public key (DIFFARM_JWT_PUBLIC_KEY)"));
        String unsigned = TestJwts.unsigned(TestJwts.claims(ApiKeysProfile.JWT_ISSUER, ApiKeysProfile.JWT_AUDIENCE,
                "initech", inAnHour(), "admin"));
        bearer(unsigned).get("/jobs/x").then().statusCode(401).body("errors[0].code", equalTo("invalid-token"))
                .body("errors[0].message", containsString("JWT alg \"none\" is not accepted"));
        bearer(unsigned).contentType("application/json").body(TinyModel.renderJob("forged", "[\"a\"]", "[1]", 2))
                .post("/jobs").then().statusCode(401);
    }

    @Test
    void missingAndUnknownKeysAre401SayingWhich() {
        given().get("/jobs/x").then().statusCode(401).body("errors[0].code", equalTo("no-credentials"))
                .body("errors[0].message", equalTo("no credentials: send Authorization: Bearer <API key or JWT>, or "
                        + "X-Api-Key: <API key>"));
        given().header("X-Api-Key", "not-a-key").get("/q/metrics").then().statusCode(401)
                .body("errors[0].code", equalTo("unknown-key"))
                .body("errors[0].message", equalTo("unknown API key: no line of the keys file holds its SHA-256"));
        bearer(ApiKeysProfile.ACME_READER).delete("/jobs/whatever").then().statusCode(403)
                .body("errors[0].code", equalTo("role-missing"))
                .body("errors[0].message", equalTo("role missing: tenant acme with roles [read] may not DELETE"
                        + " /jobs/whatever (it takes one of: submit, admin)"));
    }
}
