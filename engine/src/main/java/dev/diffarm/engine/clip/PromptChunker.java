package dev.diffarm.engine.clip;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * AUTOMATIC1111's split of a prompt's tokens into chunks the text encoder can take: each chunk holds up to
 * {@code contextLength - 2} (75) tokens and is framed as start token, tokens, end token, padding to
 * {@code contextLength} (77). A1111 pads with the end token and then overwrites everything after the first
 * end token with the pad token, which is exactly this framing (and the same as transformers' padding).
 *
 * <p>Comma backtrack (A1111's {@code comma_padding_backtrack}, default {@value #COMMA_BACKTRACK}): when a
 * chunk is full and the next token is not a comma, but one of the chunk's last {@value #COMMA_BACKTRACK}
 * tokens is a comma, the chunk is cut just after that comma (and padded), and the tokens that followed it
 * start the next chunk, so that a phrase between commas is not split across two encoder passes. A prompt of
 * exactly 75 tokens, or a full chunk followed by a comma, is not cut. An empty prompt gives one chunk.
 *
 * <p>This chunks plain token ids; A1111's emphasis syntax and {@code BREAK} are parsed before it.
 */
public final class PromptChunker {
    /** How far back from the end of a full chunk A1111 looks for a comma to cut at. */
    public static final int COMMA_BACKTRACK = 20;

    private final int bos;
    private final int eos;
    private final int pad;
    private final int contextLength;
    private final int comma;

    /**
     * @param comma the id of the comma token ({@code ",</w>"}), or -1 if the vocabulary has none (then
     *              chunks are never cut early)
     */
    public PromptChunker(int bos, int eos, int pad, int contextLength, int comma) {
        if (contextLength < 3) {
            throw new IllegalArgumentException("context length " + contextLength + " leaves no room for a token");
        }
        this.bos = bos;
        this.eos = eos;
        this.pad = pad;
        this.contextLength = contextLength;
        this.comma = comma;
    }

    /** Tokens per chunk, between the start and end tokens: 75 for CLIP. */
    public int chunkLength() {
        return contextLength - 2;
    }

    /** The framed chunks of {@code tokens} (ids without start/end tokens), each {@code contextLength} long. */
    public List<int[]> chunks(int[] tokens) {
        int length = chunkLength();
        List<int[]> chunks = new ArrayList<>(tokens.length / length + 1);
        int[] chunk = new int[length];
        int size = 0;
        int lastComma = -1;
        for (int token : tokens) {
            if (token == comma) {
                lastComma = size;
            } else if (size == length && lastComma >= 0 && size - lastComma <= COMMA_BACKTRACK) {
                int cut = lastComma + 1;
                chunks.add(frame(chunk, 0, cut));
                System.arraycopy(chunk, cut, chunk, 0, size - cut);
                size -= cut;
                lastComma = -1;
            }
            if (size == length) {
                chunks.add(frame(chunk, 0, size));
                size = 0;
                lastComma = -1;
            }
            chunk[size++] = token;
        }
        if (size > 0 || chunks.isEmpty()) {
            chunks.add(frame(chunk, 0, size));
        }
        return chunks;
    }

    /** Start token, {@code tokens[from, to)}, end token, then padding up to the context length. */
    int[] frame(int[] tokens, int from, int to) {
        if (to - from > chunkLength()) {
            throw new IllegalArgumentException((to - from) + " tokens do not fit in a chunk of " + chunkLength());
        }
        int[] framed = new int[contextLength];
        Arrays.fill(framed, pad);
        framed[0] = bos;
        System.arraycopy(tokens, from, framed, 1, to - from);
        framed[1 + to - from] = eos;
        return framed;
    }
}
