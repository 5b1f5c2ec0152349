package dev.diffarm.engine.plugins;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** The plugin jars the build made, and altered copies of them. */
final class PluginJars {
    private PluginJars() {
    }

    /** The example plugin's jar, which the build copies into {@code target/example-plugin}. */
    static Path example() {
        return Paths.get(System.getProperty("diffarm.example.plugin.dir")).resolve("diffarm-example-sampler.jar");
    }

    /** A built sampler plugin: {@code diffarm-samplers-k.jar} or {@code diffarm-samplers-classic.jar}. */
    static Path built(String fileName) {
        return SamplerPlugins.directory(java.util.Optional.empty()).resolve(fileName);
    }

    /**
     * Writes {@code target}: {@code source} with these manifest attributes set ({@code null} removes one).
     */
    static Path withManifest(Path source, Path target, Map<String, String> attributes) throws IOException {
        try (JarFile jar = new JarFile(source.toFile());
             OutputStream file = Files.newOutputStream(target)) {
            Manifest manifest = new Manifest(jar.getManifest());
            attributes.forEach((name, value) -> {
                if (value == null) {
                    manifest.getMainAttributes().remove(new java.util.jar.Attributes.Name(name));
                } else {
                    manifest.getMainAttributes().putValue(name, value);
                }
            });
            try (JarOutputStream out = new JarOutputStream(file, manifest)) {
                for (JarEntry entry : Collections.list(jar.entries())) {
                    if (entry.getName().equals(JarFile.MANIFEST_NAME)) {
                        continue;
                    }
                    out.putNextEntry(new JarEntry(entry.getName()));
                    try (InputStream in = jar.getInputStream(entry)) {
                        in.transferTo(out);
                    }
                    out.closeEntry();
                }
            }
        }
        return target;
    }
}
