package dev.diffarm.api.conformance;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.pf4j.processor.ExtensionStorage;

/**
 * The extensions a plugin module declares, as the engine will find them in its jar: the classes PF4J's annotation
 * processor listed in {@code META-INF/extensions.idx}, instantiated with their no-argument constructors. A plugin's
 * tests run the conformance kit on each, so that a sampler added to the plugin is checked without being named in a
 * test, and a missing {@code @Extension} shows as a sampler that is never checked.
 */
public final class DeclaredExtensions {
    private static final String INDEX = "META-INF/extensions.idx";

    private DeclaredExtensions() {
    }

    /**
     * Every class of type {@code type} listed in the extension indexes on the test's class path, sorted by class
     * name.
     *
     * @throws AssertionError if there is no index (PF4J's annotation processor did not run) or a class cannot be
     *                        made
     */
    public static <T> List<T> of(Class<T> type) {
        Set<String> classNames = new TreeSet<>();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        try {
            for (URL index : Collections.list(loader.getResources(INDEX))) {
                try (Reader reader = new InputStreamReader(index.openStream(), StandardCharsets.UTF_8)) {
                    ExtensionStorage.read(reader, classNames);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + INDEX + ": " + e.getMessage(), e);
        }
        if (classNames.isEmpty()) {
            throw new AssertionError("no " + INDEX + " on the class path: is PF4J's annotation processor named in "
                    + "the compiler's annotationProcessorPaths, and does a class carry @Extension?");
        }
        List<T> extensions = new ArrayList<>();
        for (String className : classNames) {
            Class<?> extension = load(loader, className);
            if (type.isAssignableFrom(extension)) {
                extensions.add(type.cast(instantiate(extension)));
            }
        }
        return extensions;
    }

    private static Class<?> load(ClassLoader loader, String className) {
        try {
            return Class.forName(className, false, loader);
        } catch (ClassNotFoundException e) {
            throw new AssertionError(INDEX + " lists " + className + ", which is not on the class path", e);
        }
    }

    private static Object instantiate(Class<?> extension) {
        try {
            return extension.getConstructor().newInstance();
        } catch (NoSuchMethodException | InstantiationException | IllegalAccessException e) {
            throw new AssertionError(extension.getName() + ": an extension needs a public no-argument constructor", e);
        } catch (InvocationTargetException e) {
            throw new AssertionError(extension.getName() + "'s constructor failed: " + e.getCause(), e.getCause());
        }
    }
}
