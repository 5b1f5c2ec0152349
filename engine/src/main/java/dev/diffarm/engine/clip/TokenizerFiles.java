package dev.diffarm.engine.clip;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Reading of a HuggingFace CLIP tokenizer folder: {@code vocab.json} (symbol → id), {@code merges.txt}
 * (a {@code #version} line, then one {@code left right} merge per line, in rank order) and, when present,
 * {@code tokenizer_config.json}. Every malformation is reported with the file and the line.
 */
final class TokenizerFiles {
    static final String VOCAB = "vocab.json";
    static final String MERGES = "merges.txt";
    static final String CONFIG = "tokenizer_config.json";

    /**
     * transformers reads at most this many merges ({@code 49152 - 256 - 2}: CLIP's vocabulary less the
     * byte symbols and the two specials); later lines are ignored there, so they are here.
     */
    static final int MAX_MERGES = 49152 - 256 - 2;

    /**
     * transformers writes {@code int(1e30)} as {@code model_max_length} when no limit was set; any value
     * this large means "unset".
     */
    private static final long UNSET_MAX_LENGTH = 1_000_000_000L;

    /** Field names are the 49k symbols, each seen once: interning them would only cost time. */
    private static final JsonFactory JSON_FACTORY = JsonFactory.builder()
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What {@code tokenizer_config.json} says that matters here; empty fields when it is absent. */
    record Config(OptionalInt modelMaxLength, Optional<String> padToken) {
    }

    private TokenizerFiles() {
    }

    static Map<String, Integer> readVocabulary(Path file) {
        try (InputStream in = Files.newInputStream(file); JsonParser json = JSON_FACTORY.createParser(in)) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw malformed(file, json.currentTokenLocation(), "expected a JSON object of symbol: id, found "
                        + describe(json));
            }
            Map<String, Integer> vocabulary = new HashMap<>(65536);
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String symbol = json.currentName();
                JsonToken value = json.nextToken();
                if (value != JsonToken.VALUE_NUMBER_INT || json.getNumberType() != JsonParser.NumberType.INT
                        || json.getIntValue() < 0) {
                    throw malformed(file, json.currentTokenLocation(), "the id of \"" + symbol
                            + "\" must be a non-negative integer, found " + describe(json));
                }
                vocabulary.put(symbol, json.getIntValue());
            }
            if (json.currentToken() != JsonToken.END_OBJECT || json.nextToken() != null) {
                throw malformed(file, json.currentTokenLocation(), "expected the end of the object, found "
                        + describe(json));
            }
            return vocabulary;
        } catch (JsonParseException e) {
            throw malformed(file, e.getLocation(), "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    /** Merge rank by {@link BytePairEncoder#pairKey pair}, the first merge of the file having rank 0. */
    static Map<String, Integer> readMerges(Path file) {
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = reader.readLine(); line != null && lines.size() <= MAX_MERGES; line = reader.readLine()) {
                lines.add(line);
            }
        } catch (IOException e) {
            throw unreadable(file, e);
        }
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
            lines.remove(lines.size() - 1);
        }
        if (lines.isEmpty() || !lines.get(0).startsWith("#")) {
            throw new TokenizerException(file + " line 1: expected the '#version: 0.2' header, found "
                    + (lines.isEmpty() ? "an empty file" : "'" + lines.get(0) + "'")
                    + " (the first line is never read as a merge)");
        }
        Map<String, Integer> ranks = new HashMap<>(lines.size() * 2);
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            int space = line.indexOf(' ');
            if (space <= 0 || line.indexOf(' ', space + 1) >= 0) {
                throw new TokenizerException(file + " line " + (i + 1)
                        + ": expected a merge of two symbols separated by one space, found '" + lines.get(i) + "'");
            }
            ranks.put(line, i - 1);
        }
        return ranks;
    }

    static Config readConfig(Path file) {
        if (!Files.isRegularFile(file)) {
            return new Config(OptionalInt.empty(), Optional.empty());
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JsonParseException e) {
            throw malformed(file, e.getLocation(), "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw unreadable(file, e);
        }
        if (root == null || !root.isObject()) {
            throw new TokenizerException(file + ": expected a JSON object");
        }
        return new Config(modelMaxLength(file, root.get("model_max_length")), padToken(file, root.get("pad_token")));
    }

    private static OptionalInt modelMaxLength(Path file, JsonNode node) {
        if (node == null || node.isNull()) {
            return OptionalInt.empty();
        }
        if (node.isNumber() && node.asDouble() >= UNSET_MAX_LENGTH) {
            return OptionalInt.empty();
        }
        if (!node.isIntegralNumber()) {
            throw new TokenizerException(file + ": model_max_length must be an integer, found " + node);
        }
        long length = node.asLong();
        if (length < 3) {
            throw new TokenizerException(file + ": model_max_length " + length
                    + " leaves no room for a token between the start and end tokens (expected 77 for CLIP)");
        }
        return OptionalInt.of((int) length);
    }

    /** {@code pad_token} is written either as the token itself or as an AddedToken object with a "content". */
    private static Optional<String> padToken(Path file, JsonNode node) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        JsonNode content = node.isObject() ? node.get("content") : node;
        if (content == null || !content.isTextual()) {
            throw new TokenizerException(file + ": pad_token must be a string or an object with a string "
                    + "\"content\", found " + node);
        }
        return Optional.of(content.asText());
    }

    private static String describe(JsonParser json) throws IOException {
        JsonToken token = json.currentToken();
        if (token == null) {
            return "the end of the file";
        }
        return token == JsonToken.VALUE_STRING ? "\"" + json.getText() + "\"" : json.getText();
    }

    private static TokenizerException malformed(Path file, JsonLocation at, String what) {
        return new TokenizerException(file + " line " + at.getLineNr() + " column " + at.getColumnNr() + ": " + what);
    }

    private static TokenizerException unreadable(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new TokenizerException(file + " is missing: a CLIP tokenizer folder needs " + VOCAB + " and "
                    + MERGES, e);
        }
        if (e instanceof CharacterCodingException) {
            return new TokenizerException(file + " is not UTF-8 text", e);
        }
        return new TokenizerException("cannot read " + file + ": " + e, e);
    }
}
