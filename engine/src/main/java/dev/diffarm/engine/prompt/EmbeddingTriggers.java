package dev.diffarm.engine.prompt;

import dev.diffarm.engine.clip.ClipTokenizer;
import dev.diffarm.engine.embedding.Embedding;
import dev.diffarm.engine.embedding.EmbeddingException;
import dev.diffarm.engine.embedding.EmbeddingLibrary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds embedding names in a prompt's tokens, as A1111's {@code find_embedding_at_position} does: each name
 * is tokenized like prompt text, and a name matches where its tokens appear in the prompt's tokens (so
 * matching follows the tokenizer: it ignores case, and finds {@code zwx-style} in {@code zwx-style,} but not
 * in {@code zwx-styles}). Where several names start at the same token, the one with more tokens wins.
 */
final class EmbeddingTriggers {
    private final EmbeddingLibrary library;
    private final int width;
    private final int maxVectors;
    /** Names by their first token, those with more tokens first. */
    private final Map<Integer, List<Trigger>> byFirstToken = new HashMap<>();

    /** A name's tokens, and every name that reads as those tokens (more than one is ambiguous). */
    private record Trigger(int[] tokens, List<String> names) {
    }

    /** A name found in the tokens: its embedding, and how many tokens the name took. */
    record Match(Embedding embedding, int tokens) {
    }

    /**
     * @param width      the text encoder's hidden size, which the vectors must have
     * @param maxVectors the most vectors one embedding may have: the tokens of a chunk
     */
    EmbeddingTriggers(ClipTokenizer tokenizer, EmbeddingLibrary library, int width, int maxVectors) {
        this.library = library;
        this.width = width;
        this.maxVectors = maxVectors;
        Map<String, Trigger> byTokens = new LinkedHashMap<>();
        for (String name : library.names()) {
            int[] tokens = tokenizer.tokenize(name);
            if (tokens.length > 0) {
                byTokens.computeIfAbsent(Arrays.toString(tokens), key -> new Trigger(tokens, new ArrayList<>()))
                        .names().add(name);
            }
        }
        for (Trigger trigger : byTokens.values()) {
            byFirstToken.computeIfAbsent(trigger.tokens()[0], first -> new ArrayList<>()).add(trigger);
        }
        byFirstToken.values().forEach(list -> list.sort(Comparator.comparingInt((Trigger t) -> t.tokens().length).reversed()));
    }

    /**
     * The embedding whose name starts at {@code tokens[position]}, if any.
     *
     * @throws EmbeddingException if the name found is ambiguous, cannot be read, or does not fit this model
     */
    Optional<Match> at(int[] tokens, int position) {
        for (Trigger trigger : byFirstToken.getOrDefault(tokens[position], List.of())) {
            int length = trigger.tokens().length;
            if (position + length <= tokens.length
                    && Arrays.equals(tokens, position, position + length, trigger.tokens(), 0, length)) {
                return Optional.of(new Match(embedding(trigger), length));
            }
        }
        return Optional.empty();
    }

    private Embedding embedding(Trigger trigger) {
        if (trigger.names().size() > 1) {
            throw new EmbeddingException("embedding names " + trigger.names() + " read as the same words in a prompt;"
                    + " rename all but one");
        }
        Embedding embedding = library.get(trigger.names().get(0));
        if (embedding.width() != width) {
            throw new EmbeddingException("embedding '" + embedding.name() + "' (" + embedding.file().path() + ") has "
                    + "vectors of width " + embedding.width() + ", but this model's text encoder takes " + width
                    + " (an embedding for another model?)");
        }
        if (embedding.count() > maxVectors) {
            throw new EmbeddingException("embedding '" + embedding.name() + "' (" + embedding.file().path() + ") has "
                    + embedding.count() + " vectors; at most " + maxVectors + " fit in one pass of the text encoder");
        }
        return embedding;
    }
}
