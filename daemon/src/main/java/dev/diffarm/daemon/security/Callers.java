package dev.diffarm.daemon.security;

import io.quarkus.security.identity.SecurityIdentity;

/** What a caller's identity means for jobs: its tenant, and whose jobs it may touch. */
public final class Callers {
    private Callers() {
    }

    /** The caller's tenant: the principal's name (several keys may act for one tenant). */
    public static String tenant(SecurityIdentity caller) {
        return caller.getPrincipal().getName();
    }

    public static boolean isAdmin(SecurityIdentity caller) {
        return caller.hasRole(Role.ADMIN_NAME);
    }

    /** Whether the caller may see and change a job of {@code tenant}: its own, or any for an admin. */
    public static boolean mayAccess(SecurityIdentity caller, String tenant) {
        return isAdmin(caller) || tenant(caller).equals(tenant);
    }
}
