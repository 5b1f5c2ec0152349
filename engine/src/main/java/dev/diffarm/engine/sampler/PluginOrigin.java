package dev.diffarm.engine.sampler;

/**
 * The plugin an extension came from.
 *
 * @param pluginId its PF4J {@code Plugin-Id}
 * @param version  its {@code Plugin-Version}
 */
public record PluginOrigin(String pluginId, String version) {
    @Override
    public String toString() {
        return pluginId + " " + version;
    }
}
