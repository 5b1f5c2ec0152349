package dev.diffarm.engine.clip;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * AUTOMATIC1111's split of a prompt's tokens into chunks the text encoder can take ({@code tokenize_line}):
 * each chunk holds up to {@code contextLength - 2} (75) tokens and is framed as start token, tokens, end
 * token, padding to {@code contextLength} (77). A1111 pads with the end token and then overwrites everything
 * after the first end token with the pad token, which is exactly this framing (and the same as
 * transformers' padding). Start, end and padding positions have weight 1.
 *
 * <p>Comma backtrack (A1111's {@code comma_padding_backtrack}, default {@value #COMMA_BACKTRACK}): when a
 * chunk is full and the next token is not a comma, but one of the chunk's last {@value #COMMA_BACKTRACK}
 * tokens is a comma, the chunk is cut just after that comma (and padded), and the tokens that followed it
 * start the next chunk, so that a phrase between commas is not split across two encoder passes. A prompt of
 * exactly 75 tokens, or a full chunk followed by a comma, is not cut. An empty prompt gives one chunk.
 *
 * <p>Vectors (a textual-inversion embedding) are never split: if they do not fit in what is left of the
 * chunk, the chunk ends and they start the next one. When a comma backtrack moves tokens to the next chunk,
 * vectors among them move with them (A1111 leaves them behind, at positions that are then padding).
 * A break ends the chunk even when it is empty, so a prompt that starts with {@code BREAK} begins with an
 * empty chunk, as in A1111.
 */
public final class PromptChunker {
    /** How far back from the end of a full chunk A1111 looks for a comma to cut at. */
    public static final int COMMA_BACKTRACK = 20;
    /** The id A1111 puts where vectors go; the encoder never looks it up. */
    static final int VECTOR_PLACEHOLDER = 0;

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
        List<ChunkItem> items = new ArrayList<>(tokens.length);
        for (int token : tokens) {
            items.add(new ChunkItem.Token(token, 1f));
        }
        return chunks(items).stream().map(PromptChunk::ids).toList();
    }

    /**
     * The chunks of a weighted prompt.
     *
     * @throws IllegalArgumentException if some vectors take more positions than a chunk has
     */
    public List<PromptChunk> chunks(List<ChunkItem> items) {
        List<PromptChunk> chunks = new ArrayList<>();
        Chunk chunk = new Chunk(chunkLength());
        int lastComma = -1;
        for (ChunkItem item : items) {
            if (item instanceof ChunkItem.Break) {
                chunks.add(chunk.framed());
                chunk = new Chunk(chunkLength());
                lastComma = -1;
                continue;
            }
            boolean isComma = item instanceof ChunkItem.Token token && token.id() == comma;
            if (isComma) {
                lastComma = chunk.size;
            } else if (chunk.isFull() && lastComma >= 0 && chunk.size - lastComma <= COMMA_BACKTRACK) {
                Chunk rest = chunk.cutAfter(lastComma);
                chunks.add(chunk.framed());
                chunk = rest;
                lastComma = -1;
            }
            if (chunk.isFull()) {
                chunks.add(chunk.framed());
                chunk = new Chunk(chunkLength());
                lastComma = -1;
            }
            if (item instanceof ChunkItem.Token token) {
                chunk.add(token.id(), token.weight());
            } else if (item instanceof ChunkItem.Vectors vectors) {
                int count = vectors.vectors().count();
                if (count > chunkLength()) {
                    throw new IllegalArgumentException(count + " vectors do not fit in a chunk of " + chunkLength()
                            + " tokens");
                }
                if (chunk.size + count > chunkLength()) {
                    chunks.add(chunk.framed());
                    chunk = new Chunk(chunkLength());
                    lastComma = -1;
                }
                chunk.add(vectors);
            }
        }
        if (chunk.size > 0 || chunks.isEmpty()) {
            chunks.add(chunk.framed());
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

    /** A chunk being filled; positions count from its first token (the start token is added when framing). */
    private final class Chunk {
        final int[] ids;
        final float[] weights;
        final List<PromptChunk.Slot> slots = new ArrayList<>();
        int size;

        Chunk(int capacity) {
            ids = new int[capacity];
            weights = new float[capacity];
        }

        boolean isFull() {
            return size == ids.length;
        }

        void add(int id, float weight) {
            ids[size] = id;
            weights[size] = weight;
            size++;
        }

        void add(ChunkItem.Vectors vectors) {
            slots.add(new PromptChunk.Slot(size + 1, vectors.vectors()));
            for (int i = 0; i < vectors.vectors().count(); i++) {
                add(VECTOR_PLACEHOLDER, vectors.weight());
            }
        }

        /** Moves everything after position {@code comma} into a new chunk, which it returns. */
        Chunk cutAfter(int comma) {
            int cut = comma + 1;
            Chunk rest = new Chunk(ids.length);
            System.arraycopy(ids, cut, rest.ids, 0, size - cut);
            System.arraycopy(weights, cut, rest.weights, 0, size - cut);
            rest.size = size - cut;
            size = cut;
            slots.removeIf(slot -> {
                boolean moves = slot.position() > cut;
                if (moves) {
                    rest.slots.add(new PromptChunk.Slot(slot.position() - cut, slot.vectors()));
                }
                return moves;
            });
            return rest;
        }

        PromptChunk framed() {
            float[] framedWeights = new float[contextLength];
            Arrays.fill(framedWeights, 1f);
            System.arraycopy(weights, 0, framedWeights, 1, size);
            return new PromptChunk(frame(ids, 0, size), framedWeights, slots);
        }
    }
}
