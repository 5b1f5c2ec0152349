package dev.diffarm.api;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The version of this API and which plugins may load against it.
 *
 * <p>The version is {@code MAJOR.MINOR}. A minor release only adds to the API, so a plugin built against
 * {@code 1.0} loads on {@code 1.3}; a major release may change or remove what plugins use, so a plugin loads only on
 * the major version it was built against, and never on an older minor version than its own. A plugin names the
 * version it was built against in its manifest's {@code Plugin-Requires} attribute.
 */
public final class PluginApi {
    /** This API's version. */
    public static final String VERSION = "1.3";

    private static final Pattern MAJOR_MINOR = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.\\d+)?");

    private PluginApi() {
    }

    /**
     * Checks that a plugin built against API {@code builtAgainst} can run on this one.
     *
     * @param builtAgainst the plugin's {@code Plugin-Requires}: the {@code MAJOR.MINOR} it was built against
     * @throws IllegalArgumentException naming both versions if it cannot, or if {@code builtAgainst} is no version
     */
    public static void checkCompatible(String builtAgainst) {
        int[] plugin = parse(builtAgainst);
        int[] ours = parse(VERSION);
        if (plugin[0] != ours[0] || plugin[1] > ours[1]) {
            throw new IllegalArgumentException("built against plugin API " + builtAgainst.trim()
                    + ", but this diffarm provides plugin API " + VERSION + " (a plugin loads on the major version it "
                    + "was built against, at the same or a later minor version: " + ours[0] + ".0 to " + VERSION + ")");
        }
    }

    private static int[] parse(String version) {
        Matcher m = MAJOR_MINOR.matcher(version == null ? "" : version.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("Plugin-Requires '" + version + "': expected the plugin API version "
                    + "the plugin was built against, such as " + VERSION);
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }
}
