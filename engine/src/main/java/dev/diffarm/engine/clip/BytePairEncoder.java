package dev.diffarm.engine.clip;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * CLIP's BPE on one pre-token: the word starts as its characters with {@code </w>} glued to the last one,
 * then the adjacent pair of lowest merge rank is merged everywhere in the word (left to right, without
 * overlap) until no adjacent pair has a rank.
 */
final class BytePairEncoder {
    static final String WORD_END = "</w>";

    /** Merge rank by pair, keyed {@code left + ' ' + right} (symbols never contain a space). */
    private final Map<String, Integer> ranks;

    BytePairEncoder(Map<String, Integer> ranks) {
        this.ranks = ranks;
    }

    static String pairKey(String left, String right) {
        return left + ' ' + right;
    }

    /** The symbols of {@code word}, a non-empty string in the {@link ByteAlphabet}. */
    List<String> encode(String word) {
        List<String> symbols = new ArrayList<>(word.length());
        for (int i = 0; i < word.length() - 1; i++) {
            symbols.add(String.valueOf(word.charAt(i)));
        }
        symbols.add(word.charAt(word.length() - 1) + WORD_END);
        while (symbols.size() > 1) {
            int best = lowestRankedPair(symbols);
            if (best < 0) {
                break;
            }
            symbols = mergeAll(symbols, symbols.get(best), symbols.get(best + 1));
        }
        return symbols;
    }

    /** The index of the first symbol of the adjacent pair with the lowest rank, or -1 if no pair has one. */
    private int lowestRankedPair(List<String> symbols) {
        int best = -1;
        int bestRank = Integer.MAX_VALUE;
        for (int i = 0; i + 1 < symbols.size(); i++) {
            Integer rank = ranks.get(pairKey(symbols.get(i), symbols.get(i + 1)));
            if (rank != null && rank < bestRank) {
                bestRank = rank;
                best = i;
            }
        }
        return best;
    }

    private static List<String> mergeAll(List<String> symbols, String left, String right) {
        List<String> merged = new ArrayList<>(symbols.size());
        int i = 0;
        while (i < symbols.size()) {
            if (i + 1 < symbols.size() && symbols.get(i).equals(left) && symbols.get(i + 1).equals(right)) {
                merged.add(left + right);
                i += 2;
            } else {
                merged.add(symbols.get(i));
                i++;
            }
        }
        return merged;
    }
}
