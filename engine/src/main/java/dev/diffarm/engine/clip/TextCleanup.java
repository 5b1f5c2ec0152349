package dev.diffarm.engine.clip;

import java.text.Normalizer;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The cleanup transformers' {@code CLIPTokenizer} applies to text before its pre-tokeniser when ftfy is not
 * installed (the case of a plain diffusers install, and of the reference): its {@code BasicTokenizer} with
 * lower-casing on, accents kept and no punctuation split. The steps, in transformers' order: drop NUL,
 * U+FFFD and every code point of a "C" category except tab, newline and carriage return; turn those three
 * and every space separator into a space; put spaces around CJK ideographs; compose to NFC; collapse runs
 * of whitespace into single spaces; lower-case as Python does.
 */
final class TextCleanup {
    private static final char CAPITAL_SIGMA = '\u03A3';
    private static final char SMALL_SIGMA = '\u03C3';
    private static final char FINAL_SIGMA = '\u03C2';
    /** Word_Break MidLetter, MidNumLet and Single_Quote: case-ignorable although punctuation. */
    private static final String MID_WORD_PUNCTUATION =
            "'.:\u00B7\u0387\u055F\u05F4\u2018\u2019\u2024\u2027\uFE13\uFE52\uFE55\uFF07\uFF0E\uFF1A";

    private TextCleanup() {
    }

    static String clean(String text) {
        StringBuilder spaced = new StringBuilder(text.length() + 8);
        text.codePoints().forEach(cp -> {
            if (isDropped(cp)) {
                return;
            }
            if (isWhitespace(cp)) {
                spaced.append(' ');
            } else if (isCjkIdeograph(cp)) {
                spaced.append(' ').appendCodePoint(cp).append(' ');
            } else {
                spaced.appendCodePoint(cp);
            }
        });
        String lowered = lowerCase(Normalizer.normalize(spaced, Normalizer.Form.NFC));
        return Arrays.stream(lowered.split(" +")).filter(word -> !word.isEmpty()).collect(Collectors.joining(" "));
    }

    /**
     * Python's {@code str.lower()}. Java lower-cases alike except for the capital sigma: Python writes the
     * final form when Unicode's Final_Sigma context holds (a cased letter before it, case-ignorable
     * characters skipped, and none after it), Java when it ends a word of its BreakIterator, which differs
     * for text like {@code "8Σ"}. So sigmas are decided here first.
     */
    static String lowerCase(String text) {
        if (text.indexOf(CAPITAL_SIGMA) < 0) {
            return text.toLowerCase(Locale.ROOT);
        }
        StringBuilder sigmasDecided = new StringBuilder(text);
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == CAPITAL_SIGMA) {
                sigmasDecided.setCharAt(i, isFinalSigma(text, i) ? FINAL_SIGMA : SMALL_SIGMA);
            }
        }
        return sigmasDecided.toString().toLowerCase(Locale.ROOT);
    }

    private static boolean isFinalSigma(String text, int at) {
        int before = at;
        int cp = -1;
        while (before > 0) {
            cp = text.codePointBefore(before);
            before -= Character.charCount(cp);
            if (!isCaseIgnorable(cp)) {
                break;
            }
        }
        if (cp < 0 || isCaseIgnorable(cp) || !isCased(cp)) {
            return false;
        }
        int after = at + 1;
        while (after < text.length()) {
            cp = text.codePointAt(after);
            if (!isCaseIgnorable(cp)) {
                return !isCased(cp);
            }
            after += Character.charCount(cp);
        }
        return true;
    }

    private static boolean isCased(int cp) {
        return Character.isLowerCase(cp) || Character.isUpperCase(cp) || Character.isTitleCase(cp);
    }

    /** Unicode's Case_Ignorable: marks, format characters, modifiers, and the apostrophes and mid-word stops. */
    private static boolean isCaseIgnorable(int cp) {
        switch (Character.getType(cp)) {
            case Character.NON_SPACING_MARK:
            case Character.ENCLOSING_MARK:
            case Character.FORMAT:
            case Character.MODIFIER_LETTER:
            case Character.MODIFIER_SYMBOL:
                return true;
            default:
                return MID_WORD_PUNCTUATION.indexOf(cp) >= 0;
        }
    }

    private static boolean isDropped(int cp) {
        if (cp == 0 || cp == 0xFFFD) {
            return true;
        }
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        switch (Character.getType(cp)) {
            case Character.CONTROL:
            case Character.FORMAT:
            case Character.PRIVATE_USE:
            case Character.SURROGATE:
            case Character.UNASSIGNED:
                return true;
            default:
                return false;
        }
    }

    /**
     * BasicTokenizer maps only tab, newline, carriage return and space separators to a space, but the
     * {@code str.split()} that follows also splits at line and paragraph separators (U+2028, U+2029), so
     * they end up as spaces too.
     */
    private static boolean isWhitespace(int cp) {
        if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r') {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.SPACE_SEPARATOR || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR;
    }

    /** The CJK Unified Ideograph blocks BasicTokenizer isolates (Hangul, Hiragana and Katakana are not among them). */
    private static boolean isCjkIdeograph(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF)
                || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B820 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
