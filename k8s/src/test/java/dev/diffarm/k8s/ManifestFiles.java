package dev.diffarm.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The YAML files of the manifests folder and the resources they hold. */
final class ManifestFiles {
    static final YAMLMapper YAML = new YAMLMapper();

    private ManifestFiles() {
    }

    /** The manifests folder: {@code k8s/} of the checkout (the module's own folder when Maven runs the tests). */
    static Path root() {
        Path module = Path.of("").toAbsolutePath();
        Path root = Files.isDirectory(module.resolve("base")) ? module : module.resolve("k8s");
        if (!Files.isDirectory(root.resolve("base"))) {
            throw new IllegalStateException("no manifests (base/) in " + module + " or " + root);
        }
        return root;
    }

    /** Every {@code .yaml} and {@code .yml} file under {@code root}, the Maven module's own files left out. */
    static List<Path> yamlFiles(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(file -> !root.relativize(file).startsWith("src"))
                    .filter(file -> !root.relativize(file).startsWith("target"))
                    .filter(file -> file.toString().endsWith(".yaml") || file.toString().endsWith(".yml"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every document of a YAML file, each of which must be a mapping.
     *
     * @throws IllegalArgumentException naming the file and document that does not parse or is not a mapping
     */
    static List<Resource> read(Path file) {
        List<Resource> resources = new ArrayList<>();
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            int number = 0;
            while (documents.hasNextValue()) {
                JsonNode document = documents.nextValue();
                number++;
                if (document == null || document.isNull() || document.isMissingNode()) {
                    continue; // an empty document, such as a comment block before the first "---"
                }
                if (!(document instanceof ObjectNode object)) {
                    throw new IllegalArgumentException(file + " document " + number + ": expected a mapping, found "
                            + document.getNodeType());
                }
                resources.add(new Resource(file.getFileName() + " document " + number, object));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not YAML: " + e.getMessage(), e);
        }
        return resources;
    }
}
