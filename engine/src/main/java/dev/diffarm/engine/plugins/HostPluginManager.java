package dev.diffarm.engine.plugins;

import java.nio.file.Path;
import org.pf4j.CompoundPluginLoader;
import org.pf4j.JarPluginLoader;
import org.pf4j.JarPluginManager;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginLoader;

/**
 * PF4J's manager for plugin jars, with the parent of every plugin's class loader chosen by the host: the loader
 * that sees the plugin API. PF4J's default parent is its own loader, which under Quarkus dev mode and
 * {@code @QuarkusTest} cannot see the API classes of a reactor module.
 */
final class HostPluginManager extends JarPluginManager {
    /** Read only when a plugin loads, after construction: PF4J builds its loader in the super constructor. */
    private final ClassLoader parent;

    HostPluginManager(Path directory, ClassLoader parent) {
        super(directory);
        this.parent = parent;
    }

    @Override
    protected PluginLoader createPluginLoader() {
        return new CompoundPluginLoader().add(new JarPluginLoader(this) {
            @Override
            protected PluginClassLoader createPluginClassLoader(Path pluginPath, PluginDescriptor descriptor) {
                return new PluginClassLoader(pluginManager, descriptor, parent);
            }
        });
    }
}
