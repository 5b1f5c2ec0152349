package dev.diffarm.daemon.security;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** What a caller may do; a key's line in the keys file names its roles. */
public enum Role {
    /** Submit jobs, and cancel its own. */
    SUBMIT,
    /** Read its own jobs: status, events, outputs. */
    READ,
    /** Everything: every tenant's jobs, catalog changes. */
    ADMIN;

    /** Role names as {@code @RolesAllowed} and the keys file write them. */
    public static final String SUBMIT_NAME = "submit";
    public static final String READ_NAME = "read";
    public static final String ADMIN_NAME = "admin";

    /** The role's name in the keys file and in {@code @RolesAllowed}: {@code submit}, {@code read}, {@code admin}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Optional<Role> of(String id) {
        return Arrays.stream(values()).filter(role -> role.id().equals(id)).findFirst();
    }

    static Set<String> ids(Set<Role> roles) {
        return roles.stream().map(Role::id).collect(Collectors.toUnmodifiableSet());
    }

    static String known() {
        return Arrays.stream(values()).map(Role::id).collect(Collectors.joining(", "));
    }
}
