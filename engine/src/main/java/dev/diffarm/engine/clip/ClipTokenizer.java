package dev.diffarm.engine.clip;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CLIP's tokenizer, giving the ids of transformers' (pure-Python) {@code CLIPTokenizer} as diffusers runs it
 * without ftfy: special tokens written in the text are taken as such, the rest is cleaned up
 * ({@link TextCleanup}: whitespace, control characters, NFC, lower case), split by CLIP's pre-tokeniser
 * (contractions, runs of letters, single digits, runs of other symbols), mapped byte by byte onto the
 * {@link ByteAlphabet} and BPE-encoded. Unknown symbols become the end token, as transformers' unknown token
 * is {@code <|endoftext|>}. Thread-safe.
 */
public final class ClipTokenizer {
    public static final String START_OF_TEXT = "<|startoftext|>";
    public static final String END_OF_TEXT = "<|endoftext|>";
    /** CLIP's context when the tokenizer config does not give {@code model_max_length}. */
    public static final int DEFAULT_CONTEXT_LENGTH = 77;

    /**
     * CLIP's pre-tokeniser, case-insensitive as transformers compiles it (so {@code 'ſ} is a contraction like
     * {@code 's}). Under that flag Python's regex module matches U+0345 (combining ypogegrammeni, whose case
     * fold is the letter iota) with no alternative, so the pre-tokeniser skips it: it is excluded here too.
     */
    private static final Pattern PRE_TOKEN = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|\\p{L}+|\\p{N}|[^\\s\\p{L}\\p{N}\\x{345}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);

    /** Distinct words a long-running process keeps encoded before the cache starts over. */
    private static final int MAX_CACHED_WORDS = 100_000;

    private final Map<String, Integer> vocabulary;
    private final BytePairEncoder bpe;
    private final int bos;
    private final int eos;
    private final int pad;
    private final PromptChunker chunker;
    private final Map<String, int[]> wordCache = new ConcurrentHashMap<>();

    private ClipTokenizer(Map<String, Integer> vocabulary, BytePairEncoder bpe, int pad, int contextLength) {
        this.vocabulary = vocabulary;
        this.bpe = bpe;
        this.bos = vocabulary.get(START_OF_TEXT);
        this.eos = vocabulary.get(END_OF_TEXT);
        this.pad = pad;
        this.chunker = new PromptChunker(bos, eos, pad, contextLength,
                vocabulary.getOrDefault("," + BytePairEncoder.WORD_END, -1));
    }

    /**
     * Loads the tokenizer in {@code dir}: {@code vocab.json} and {@code merges.txt} (required), and
     * {@code tokenizer_config.json} if present, for {@code model_max_length} (the context length, default
     * 77) and {@code pad_token} (default {@code <|endoftext|>}).
     *
     * @throws TokenizerException naming the file (and line) that is missing or malformed
     */
    public static ClipTokenizer load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new TokenizerException("tokenizer folder " + dir + " does not exist (expected a folder with "
                    + TokenizerFiles.VOCAB + " and " + TokenizerFiles.MERGES + ")");
        }
        Path vocabFile = dir.resolve(TokenizerFiles.VOCAB);
        Map<String, Integer> vocabulary = TokenizerFiles.readVocabulary(vocabFile);
        Map<String, Integer> ranks = TokenizerFiles.readMerges(dir.resolve(TokenizerFiles.MERGES));
        TokenizerFiles.Config config = TokenizerFiles.readConfig(dir.resolve(TokenizerFiles.CONFIG));
        for (String special : List.of(START_OF_TEXT, END_OF_TEXT)) {
            if (!vocabulary.containsKey(special)) {
                throw new TokenizerException(vocabFile + ": has no " + special + " token (not a CLIP vocabulary?)");
            }
        }
        String padToken = config.padToken().orElse(END_OF_TEXT);
        Integer pad = vocabulary.get(padToken);
        if (pad == null) {
            throw new TokenizerException(dir.resolve(TokenizerFiles.CONFIG) + ": pad_token \"" + padToken
                    + "\" is not in " + vocabFile);
        }
        return new ClipTokenizer(vocabulary, new BytePairEncoder(ranks), pad,
                config.modelMaxLength().orElse(DEFAULT_CONTEXT_LENGTH));
    }

    /** The id of {@code <|startoftext|>}. */
    public int bos() {
        return bos;
    }

    /** The id of {@code <|endoftext|>}, which also stands for unknown symbols. */
    public int eos() {
        return eos;
    }

    /** The padding id: {@code <|endoftext|>} for SD 1.x, whatever {@code pad_token} names otherwise. */
    public int pad() {
        return pad;
    }

    /** Ids per encoder pass, start and end tokens included (77 for CLIP). */
    public int contextLength() {
        return chunkLength() + 2;
    }

    /** Tokens per encoder pass between the start and end tokens (75 for CLIP). */
    public int chunkLength() {
        return chunker.chunkLength();
    }

    /** The chunking {@link #encodeChunks} uses, for callers that chunk tokens of their own. */
    public PromptChunker chunker() {
        return chunker;
    }

    /** All the ids of {@code text}, without start or end token and not truncated. */
    public int[] tokenize(String text) {
        IntBuffer ids = new IntBuffer(text.length() / 3 + 4);
        int from = 0;
        int special;
        while ((special = nextSpecialToken(text, from)) >= 0) {
            encodeSegment(text.substring(from, special), ids);
            boolean isStart = text.startsWith(START_OF_TEXT, special);
            ids.add(isStart ? bos : eos);
            from = special + (isStart ? START_OF_TEXT : END_OF_TEXT).length();
        }
        encodeSegment(text.substring(from), ids);
        return ids.toArray();
    }

    /**
     * Where the next special token written exactly (case-sensitively) starts, or -1: transformers splits
     * these out before anything else, as added tokens.
     */
    private static int nextSpecialToken(String text, int from) {
        int start = text.indexOf(START_OF_TEXT, from);
        int end = text.indexOf(END_OF_TEXT, from);
        return start < 0 ? end : end < 0 ? start : Math.min(start, end);
    }

    /**
     * What transformers gives with {@code padding="max_length", truncation=True}: start token, the first
     * {@link #chunkLength()} tokens of {@code text}, end token, padding to {@link #contextLength()}.
     */
    public int[] encodeTruncated(String text) {
        int[] tokens = tokenize(text);
        return chunker.frame(tokens, 0, Math.min(tokens.length, chunkLength()));
    }

    /**
     * AUTOMATIC1111's chunks for a prompt of any length, each {@link #contextLength()} ids framed like
     * {@link #encodeTruncated}; see {@link PromptChunker} for the comma backtrack.
     */
    public List<int[]> encodeChunks(String text) {
        return chunker.chunks(tokenize(text));
    }

    /** Text between special tokens: transformers runs its cleanup and pre-tokeniser on each such piece alone. */
    private void encodeSegment(String segment, IntBuffer ids) {
        Matcher words = PRE_TOKEN.matcher(TextCleanup.clean(segment));
        while (words.find()) {
            ids.addAll(encodeWord(words.group()));
        }
    }

    private int[] encodeWord(String word) {
        int[] cached = wordCache.get(word);
        if (cached != null) {
            return cached;
        }
        int[] ids;
        if (word.equals(START_OF_TEXT)) {
            ids = new int[] {bos};
        } else if (word.equals(END_OF_TEXT)) {
            ids = new int[] {eos};
        } else {
            ids = bpe.encode(ByteAlphabet.encode(word)).stream()
                    .mapToInt(symbol -> vocabulary.getOrDefault(symbol, eos)).toArray();
        }
        if (wordCache.size() >= MAX_CACHED_WORDS) {
            wordCache.clear();
        }
        wordCache.put(word, ids);
        return ids;
    }

    /** A growable int array, to collect ids without boxing. */
    private static final class IntBuffer {
        private int[] values;
        private int size;

        IntBuffer(int capacity) {
            values = new int[Math.max(capacity, 4)];
        }

        void add(int value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        void addAll(int[] more) {
            if (size + more.length > values.length) {
                values = Arrays.copyOf(values, Math.max(size * 2, size + more.length));
            }
            System.arraycopy(more, 0, values, size, more.length);
            size += more.length;
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
