package dev.diffarm.daemon.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The top-level fields in which two versions of a job differ, both as {@code Job.toJson()} wrote them. */
final class JobDifference {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JobDifference() {
    }

    /** The names of the fields whose values differ, or that only one of them has, in the order they appear. */
    static List<String> fields(String before, String after) {
        JsonNode a = read(before);
        JsonNode b = read(after);
        Set<String> names = new LinkedHashSet<>();
        a.fieldNames().forEachRemaining(names::add);
        b.fieldNames().forEachRemaining(names::add);
        List<String> differing = new ArrayList<>();
        for (Iterator<String> it = names.iterator(); it.hasNext(); ) {
            String name = it.next();
            if (!a.path(name).equals(b.path(name))) {
                differing.add(name);
            }
        }
        return differing;
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("a job's own JSON could not be read back", e);
        }
    }
}
