package dev.diffarm.daemon.security;

import dev.diffarm.daemon.job.Tenants;
import io.quarkus.runtime.Startup;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Who may call the daemon: the keys of {@code DIFFARM_API_KEYS_FILE}, or, without that file, everyone who
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

    Identities(@ConfigProperty(name = "quarkus.http.host") String host,
               @ConfigProperty(name = "diffarm.api-keys-file") Optional<String> keysFile) {
        this.keys = checkedKeys(host, keysFile.filter(name -> !name.isBlank()).map(Path::of));
        LOG.infof("HTTP on %s; %s", host, keys.map(file -> "API keys from " + file.path() + " (" + file.size() + " keys)")
                .orElse("no API keys file: callers on this machine act as tenant " + LOCAL_TENANT + " with every role"));
    }

    /**
     * The keys file to use, after checking that the daemon may start with it.
     *
     * @throws IllegalStateException saying what to set, when {@code host} is beyond this machine and there is no
     *                               keys file, or when the keys file does not exist
     */
    static Optional<ApiKeysFile> checkedKeys(String host, Optional<Path> keysFile) {
        if (keysFile.isPresent()) {
            if (!Files.isRegularFile(keysFile.get())) {
                throw new IllegalStateException("DIFFARM_API_KEYS_FILE (diffarm.api-keys-file) = " + keysFile.get()
                        + ": no such file; expected a file of lines <tenant> <role>[,<role>...] <sha256 hex of the key>");
            }
            return keysFile.map(ApiKeysFile::new);
        }
        if (!isLoopback(host)) {
            throw new IllegalStateException("the daemon would listen on " + host + ", beyond this machine, without API keys:"
                    + " set DIFFARM_API_KEYS_FILE to a file of lines <tenant> <role>[,<role>...] <sha256 hex of the key>,"
                    + " or DIFFARM_HTTP_HOST to 127.0.0.1 (the default)");
        }
        return Optional.empty();
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

    /** Whether callers must present a key; false in the keyless local mode. */
    boolean keysRequired() {
        return keys.isPresent();
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
