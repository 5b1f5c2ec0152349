package dev.diffarm.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import dev.diffarm.engine.embedding.Embedding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The text conditioning of a run at each sampling step: the negative prompt's and the prompt's embeddings,
 * [batch, tokens, D] each, equally long. Prompt editing and alternation make them change from step to step;
 * otherwise there is one pair for every step.
 *
 * <p>Steps count from 0, as the sampler reports them. A schedule entry that ends at step {@code e} applies
 * to every step {@code s <= e} that no earlier entry covers, as A1111 compares its step counter with
 * {@code end_at_step}: with {@code [a:b:0.5]} over 20 steps, {@code a} conditions steps 0 to 10 and
 * {@code b} steps 11 to 19.
 *
 * <p>Where the two prompts, or the entries of a schedule, have different numbers of 77-token chunks, the
 * shorter ones are padded with the encoding of the empty prompt until all are as long as the longest, as
 * A1111 pads within a schedule and, with "pad prompt/negative prompt", between the two prompts.
 */
public final class Conditioning {
    /** Tokens per chunk: every array here is a whole number of chunks. */
    private static final long CHUNK_TOKENS = 77;
    private final List<Segment> segments;
    private final List<Embedding> embeddings;

    /** Embeddings [1, tokens, D] of one prompt text, used up to and including step {@code endStep}. */
    public record Timed(int endStep, NDArray hidden) {
    }

    /** The pair that applies up to and including step {@code lastStep}. */
    record Segment(int lastStep, NDArray uncond, NDArray cond) {
    }

    private Conditioning(List<Segment> segments, List<Embedding> embeddings) {
        this.segments = segments;
        this.embeddings = List.copyOf(embeddings);
    }

    /** The same pair at every step. */
    public static Conditioning fixed(NDArray uncond, NDArray cond) {
        if (!uncond.getShape().equals(cond.getShape())) {
            throw new IllegalArgumentException("prompt and negative prompt embeddings differ in shape: "
                    + cond.getShape() + " vs " + uncond.getShape());
        }
        return new Conditioning(List.of(new Segment(Integer.MAX_VALUE, uncond, cond)), List.of());
    }

    /**
     * The conditioning of two schedules.
     *
     * @param uncond     the negative prompt's entries, by end step; the last ends at the run's last step or later
     * @param cond       the prompt's entries, likewise
     * @param emptyChunk the encoding of the empty prompt, [1, 77, D], to pad with; asked for only if needed
     * @param batch      images per run: every array is repeated this many times
     * @param embeddings the embeddings the prompts triggered, for the image's parameters
     */
    static Conditioning scheduled(List<Timed> uncond, List<Timed> cond, Supplier<NDArray> emptyChunk, int batch,
                                  List<Embedding> embeddings) {
        long tokens = 0;
        for (Timed timed : concat(uncond, cond)) {
            tokens = Math.max(tokens, timed.hidden().getShape().get(1));
        }
        List<NDArray> paddedUncond = padded(uncond, tokens, emptyChunk, batch);
        List<NDArray> paddedCond = padded(cond, tokens, emptyChunk, batch);
        TreeSet<Integer> ends = new TreeSet<>();
        concat(uncond, cond).forEach(timed -> ends.add(timed.endStep()));
        List<Segment> segments = new ArrayList<>();
        for (int end : ends) {
            segments.add(new Segment(end, paddedUncond.get(entryAt(uncond, end)), paddedCond.get(entryAt(cond, end))));
        }
        return new Conditioning(segments, embeddings);
    }

    /**
     * Several runs' conditionings as one batch: at every step, each run's pair at that step, stacked in run order
     * along the batch dimension. It changes wherever one of them does; combinations that come back (alternation)
     * share one pair.
     *
     * @throws IllegalArgumentException if their token counts differ: padding one with empty chunks would change its
     *                                  image, so such runs are not batched together
     */
    static Conditioning stacked(List<Conditioning> runs) {
        long tokens = runs.get(0).tokens();
        TreeSet<Integer> ends = new TreeSet<>();
        for (int r = 0; r < runs.size(); r++) {
            if (runs.get(r).tokens() != tokens) {
                throw new IllegalArgumentException("run " + r + " has " + runs.get(r).tokens() + " tokens of conditioning: "
                        + "expected " + tokens + " as run 0, to stack them into one batch");
            }
            runs.get(r).segments.forEach(segment -> ends.add(segment.lastStep()));
        }
        Map<List<Integer>, Segment> byCombination = new HashMap<>();
        List<Segment> segments = new ArrayList<>();
        for (int end : ends) {
            List<Integer> combination = runs.stream().map(run -> run.segmentAt(end)).toList();
            Segment same = byCombination.computeIfAbsent(combination, c -> {
                NDList uncond = new NDList();
                NDList cond = new NDList();
                for (int r = 0; r < runs.size(); r++) {
                    uncond.add(runs.get(r).segments.get(c.get(r)).uncond());
                    cond.add(runs.get(r).segments.get(c.get(r)).cond());
                }
                return new Segment(end, NDArrays.concat(uncond, 0), NDArrays.concat(cond, 0));
            });
            segments.add(new Segment(end, same.uncond(), same.cond()));
        }
        return new Conditioning(segments, List.of());
    }

    /** Tokens per row: 77 times the number of chunks. */
    long tokens() {
        return segments.get(0).cond().getShape().get(1);
    }

    private static List<Timed> concat(List<Timed> a, List<Timed> b) {
        List<Timed> both = new ArrayList<>(a);
        both.addAll(b);
        return both;
    }

    /** Each entry padded to {@code tokens} and repeated {@code batch} times; equal entries share one array. */
    private static List<NDArray> padded(List<Timed> entries, long tokens, Supplier<NDArray> emptyChunk, int batch) {
        List<NDArray> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            NDArray hidden = entries.get(i).hidden();
            int same = indexOfHidden(entries, hidden, i);
            if (same < i) {
                out.add(out.get(same));
                continue;
            }
            NDList parts = new NDList(hidden);
            for (long length = hidden.getShape().get(1); length < tokens; length += CHUNK_TOKENS) {
                parts.add(emptyChunk.get());
            }
            NDArray full = parts.size() == 1 ? hidden : NDArrays.concat(parts, 1);
            out.add(repeat(full, batch));
        }
        return out;
    }

    private static int indexOfHidden(List<Timed> entries, NDArray hidden, int upTo) {
        for (int j = 0; j < upTo; j++) {
            if (entries.get(j).hidden() == hidden) {
                return j;
            }
        }
        return upTo;
    }

    private static NDArray repeat(NDArray embeddings, int batch) {
        if (batch == 1) {
            return embeddings;
        }
        NDArray[] copies = new NDArray[batch];
        Arrays.fill(copies, embeddings);
        return NDArrays.concat(new NDList(copies), 0);
    }

    /** A1111's lookup: the first entry whose end is at or after {@code step}, else the last. */
    private static int entryAt(List<Timed> entries, int step) {
        for (int i = 0; i < entries.size(); i++) {
            if (step <= entries.get(i).endStep()) {
                return i;
            }
        }
        return entries.size() - 1;
    }

    /** The pairs, in step order. */
    List<Segment> segments() {
        return segments;
    }

    /** Which of {@link #segments()} applies at {@code step} (from 0). */
    int segmentAt(int step) {
        for (int i = 0; i < segments.size(); i++) {
            if (step <= segments.get(i).lastStep()) {
                return i;
            }
        }
        return segments.size() - 1;
    }

    /** The negative prompt's embeddings at {@code step}, [batch, tokens, D]. */
    public NDArray uncond(int step) {
        return segments.get(segmentAt(step)).uncond();
    }

    /** The prompt's embeddings at {@code step}, [batch, tokens, D]. */
    public NDArray cond(int step) {
        return segments.get(segmentAt(step)).cond();
    }

    /**
     * The textual-inversion embeddings the prompts triggered: the prompt's, then the negative prompt's, each
     * list without repeats (A1111's order for {@code TI hashes}).
     */
    public List<Embedding> embeddings() {
        return embeddings;
    }
}
