package dev.diffarm.daemon.job;

import java.util.regex.Pattern;

/** Tenant names: whose a job is. */
public final class Tenants {
    /** The tenant of the keyless local mode, and of jobs whose source names no trusted tenant. */
    public static final String DEFAULT = "local";
    /** What a tenant name is, completing "expected ...". */
    public static final String EXPECTED = "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit";
    /** Safe in an object key prefix, a file name and a log line. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private Tenants() {
    }

    public static boolean isValid(String name) {
        return NAME.matcher(name).matches();
    }

    /** A name a caller sent, as a message may repeat it: at most 64 characters, control characters as '?'. */
    public static String printable(String name) {
        String shortened = name.length() <= 64 ? name : name.substring(0, 64) + "...";
        return shortened.replaceAll("\\p{Cntrl}", "?");
    }
}
