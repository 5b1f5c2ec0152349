package dev.diffarm.daemon.security;

import dev.diffarm.daemon.job.Tenants;
import dev.diffarm.daemon.service.DaemonConfig;
import dev.diffarm.farm.config.FarmSettings;
import io.quarkus.runtime.Startup;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Who may call the daemon: the keys of {@code DIFFARM_API_KEYS_FILE} and the bearer JWTs signed with the key of
 * {@code DIFFARM_JWT_PUBLIC_KEY} (side by side: a credential of a JWT's shape is checked as a JWT), or, without
 * either, everyone who
 * connects from this machine as the {@value #LOCAL_TENANT} tenant with every role (a laptop and
 * {@code diffarm demo} need no setup). Made at startup, which it refuses when the daemon would listen beyond
 * this machine without keys.
 */
@Singleton
@Startup
public class Identities {
    private static final Logger LOG = Logger.getLogger(Identities.class);
    /** The tenant of the keyless local mode. */
    public static final String LOCAL_TENANT = Tenants.DEFAULT;

    private final Optional<ApiKeysFile> keys;
    private final Optional<JwtVerifier> jwt;

    Identities(@ConfigProperty(name = "quarkus.http.host") String host, DaemonConfig config, FarmSettings settings) {
        this.jwt = jwtVerifier(config.jwt());
        this.keys = jwt.isPresent() ? config.apiKeysFile().filter(name -> !name.isBlank()).map(Path::of).map(Identities::existingKeys)
                : checkedKeys(host, config.apiKeysFile().filter(name -> !name.isBlank()).map(Path::of));
        if (settings.kafka().isPresent() && !config.kafka().trustTenantHeader()) {
            refuseTenantsAnUntrustedTopicLoses(keys.map(ApiKeysFile::tenants).orElse(new TreeSet<>()), jwt.isPresent());
        }
        LOG.infof("HTTP on %s; %s%s", host, keys.map(file -> "API keys from " + file.path() + " (" + file.size() + " keys)")
                .orElse(jwt.isPresent() ? "no API keys file" : "no API keys file: callers on this machine act as tenant "
                        + LOCAL_TENANT + " with every role"),
                jwt.isPresent() ? "; bearer JWTs of issuer " + config.jwt().issuer().orElseThrow() : "");
    }

    /**
     * The verifier of bearer JWTs the settings configure, if {@code DIFFARM_JWT_PUBLIC_KEY} is set.
     *
     * @throws IllegalStateException when the key cannot be read, or when no issuer is set beside it (any token the
     *                               key signed would do otherwise, whoever it was issued for)
     */
    static Optional<JwtVerifier> jwtVerifier(DaemonConfig.Jwt settings) {
        Optional<String> keyFile = settings.publicKey().filter(name -> !name.isBlank());
        if (keyFile.isEmpty()) {
            return Optional.empty();
        }
        String issuer = settings.issuer().filter(name -> !name.isBlank()).orElseThrow(() -> new IllegalStateException(
                "DIFFARM_JWT_PUBLIC_KEY is set but DIFFARM_JWT_ISSUER is not: expected the issuer (iss) every token must name"));
        try {
            return Optional.of(new JwtVerifier(PemPublicKey.read("DIFFARM_JWT_PUBLIC_KEY", Path.of(keyFile.get())), issuer,
                    settings.audience(), settings.tenantClaim(), settings.clockSkew(), Clock.systemUTC()));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * The keys file to use, after checking that the daemon may start with it.
     *
     * @throws IllegalStateException saying what to set, when {@code host} is beyond this machine and there is no
     *                               keys file, or when the keys file does not exist
     */
    static Optional<ApiKeysFile> checkedKeys(String host, Optional<Path> keysFile) {
        if (keysFile.isPresent()) {
            return keysFile.map(Identities::existingKeys);
        }
        if (!isLoopback(host)) {
            throw new IllegalStateException("the daemon would listen on " + host + ", beyond this machine, without API keys:"
                    + " set DIFFARM_API_KEYS_FILE to a file of lines <tenant> <role>[,<role>...] <sha256 hex of the key>,"
                    + " or DIFFARM_HTTP_HOST to 127.0.0.1 (the default)");
        }
        return Optional.empty();
    }

    private static ApiKeysFile existingKeys(Path keysFile) {
        if (!Files.isRegularFile(keysFile)) {
            throw new IllegalStateException("DIFFARM_API_KEYS_FILE (diffarm.api-keys-file) = " + keysFile
                    + ": no such file; expected a file of lines <tenant> <role>[,<role>...] <sha256 hex of the key>");
        }
        return new ApiKeysFile(keysFile);
    }

    /**
     * Refuses to start a daemon on a Kafka topic it does not trust to name tenants (every job it takes from there is
     * {@value #LOCAL_TENANT}'s, and one whose record names another tenant goes to the dead letters) when its callers act
     * for other tenants: the keys of {@code keyTenants}, or JWTs ({@code jwts}), which may name any tenant. Their jobs
     * could not keep their tenant on the way through the topic. (A tenant added to the keys file later is refused at
     * submission: {@link dev.diffarm.daemon.job.JobIntake#submit}.)
     *
     * @throws IllegalStateException naming the setting, and the tenants that would lose their jobs
     */
    static void refuseTenantsAnUntrustedTopicLoses(SortedSet<String> keyTenants, boolean jwts) {
        SortedSet<String> others = new TreeSet<>(keyTenants);
        others.remove(LOCAL_TENANT);
        if (others.isEmpty() && !jwts) {
            return;
        }
        String whose = others.isEmpty() ? "" : "API keys of tenants " + String.join(", ", others);
        if (jwts) {
            whose += (whose.isEmpty() ? "" : " and ") + "bearer JWTs (DIFFARM_JWT_PUBLIC_KEY), which may name any tenant,";
        }
        throw new IllegalStateException("the daemon takes its jobs from Kafka with DIFFARM_KAFKA_TRUST_TENANT_HEADER false,"
                + " so every job it runs from the topic is tenant " + LOCAL_TENANT + "'s and a job record naming another"
                + " tenant goes to the dead letters; but " + whose + " would submit jobs of other tenants. Set"
                + " DIFFARM_KAFKA_TRUST_TENANT_HEADER=true where only trusted producers may write the jobs topic, or give"
                + " every key tenant " + LOCAL_TENANT + " and no JWT key");
    }

    /** Whether {@code host} is this machine only: {@code localhost}, {@code 127.0.0.0/8} or {@code ::1}. */
    static boolean isLoopback(String host) {
        try {
            InetAddress[] addresses = InetAddress.getAllByName(host);
            for (InetAddress address : addresses) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return addresses.length > 0;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Whether callers must present a key or a JWT; false in the keyless local mode. */
    boolean keysRequired() {
        return keys.isPresent() || jwt.isPresent();
    }

    /** Whether a bearer credential of a JWT's shape is to be checked as a JWT rather than as an API key. */
    boolean acceptsJwt(String credential) {
        return jwt.isPresent() && JwtVerifier.looksLikeJwt(credential);
    }

    /** The identity a valid JWT gives. */
    SecurityIdentity ofJwt(String token) throws JwtVerifier.Rejected {
        if (jwt.isEmpty()) {
            throw new JwtVerifier.Rejected("this daemon accepts no JWTs (DIFFARM_JWT_PUBLIC_KEY is not set)");
        }
        JwtVerifier.Claims claims = jwt.get().verify(token);
        return identity(claims.tenant(), claims.roles());
    }

    /** Whether {@code key} was a key of the keys file earlier in this run, and is revoked now. */
    boolean wasRevoked(String key) {
        return keys.map(file -> file.wasRevoked(key)).orElse(false);
    }

    /** The identity of a caller on this machine in the keyless local mode. */
    static SecurityIdentity local() {
        return identity(LOCAL_TENANT, EnumSet.allOf(Role.class));
    }

    /** The identity {@code key} gives, if the keys file holds it now. */
    Optional<SecurityIdentity> ofKey(String key) {
        return keys.flatMap(file -> file.find(key)).map(found -> identity(found.tenant(), found.roles()));
    }

    private static SecurityIdentity identity(String tenant, java.util.Set<Role> roles) {
        return QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(tenant)).addRoles(Role.ids(roles)).build();
    }
}
