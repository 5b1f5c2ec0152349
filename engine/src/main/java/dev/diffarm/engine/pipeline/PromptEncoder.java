package dev.diffarm.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.diffarm.engine.clip.ClipTextModel;
import dev.diffarm.engine.clip.ClipTokenizer;
import dev.diffarm.engine.clip.PromptChunk;
import dev.diffarm.engine.embedding.Embedding;
import dev.diffarm.engine.embedding.EmbeddingLibrary;
import dev.diffarm.engine.nn.DataTypes;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.prompt.PromptSchedule;
import dev.diffarm.engine.prompt.PromptTokenizer;
import dev.diffarm.engine.prompt.ScheduledPrompt;
import dev.diffarm.engine.prompt.TokenizedPrompt;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Prompt text to the embeddings the UNet attends to, as AUTOMATIC1111 computes them: the prompt's schedule
 * ({@link PromptSchedule}), each text's weighted chunks with textual-inversion vectors in place
 * ({@link PromptTokenizer}), one encoder pass per chunk of 75 tokens, the emphasis arithmetic
 * ({@link EmphasisRescale}), and the chunks concatenated along the token axis. Each distinct text of a
 * schedule is encoded once. A prompt of one chunk without emphasis gives exactly diffusers' embeddings.
 */
public final class PromptEncoder {
    private final ClipTextModel textModel;
    private final PromptTokenizer tokenizer;
    private final PromptChunk emptyChunk;

    /**
     * @param embeddings the textual-inversion embeddings prompts may trigger
     */
    public PromptEncoder(ClipTokenizer tokenizer, ClipTextModel textModel, EmbeddingLibrary embeddings) {
        this.textModel = textModel;
        this.tokenizer = new PromptTokenizer(tokenizer, embeddings, textModel.config().hiddenSize());
        this.emptyChunk = tokenizer.chunker().chunks(List.of()).get(0);
    }

    /** The chunks of one prompt text (an entry of its schedule), and the embeddings it triggered. */
    public TokenizedPrompt tokenize(String text, Emphasis emphasis) {
        return tokenizer.tokenize(text, emphasis);
    }

    /**
     * Encodes a prompt whose text does not change by step: [1, 77 * chunks, D].
     *
     * @throws IllegalArgumentException if it uses prompt editing or alternation
     */
    public NDArray encode(NDManager manager, String prompt, Emphasis emphasis, int clipSkip) {
        PromptSchedule schedule = PromptSchedule.parse(prompt);
        if (schedule.changesByStep()) {
            throw new IllegalArgumentException("prompt '" + prompt + "': prompt editing [from:to:when] and"
                    + " alternation [a|b] change the prompt from step to step; one encoding cannot show that");
        }
        return encodeSchedule(manager, schedule.over(1), emphasis, clipSkip, new LinkedHashSet<>()).get(0);
    }

    /**
     * The conditioning of a run: both prompts' schedules over {@code steps}, encoded and padded to one
     * length, each repeated for a batch of {@code batch} images.
     */
    public Conditioning conditioning(NDManager manager, String prompt, String negative, int steps, int batch,
                                     Emphasis emphasis, int clipSkip) {
        Set<Embedding> promptEmbeddings = new LinkedHashSet<>();
        Set<Embedding> negativeEmbeddings = new LinkedHashSet<>();
        List<Conditioning.Timed> cond = timed(manager, prompt, steps, emphasis, clipSkip, promptEmbeddings);
        List<Conditioning.Timed> uncond = timed(manager, negative, steps, emphasis, clipSkip, negativeEmbeddings);
        List<Embedding> used = new ArrayList<>(promptEmbeddings);
        used.addAll(negativeEmbeddings);
        NDArray[] empty = new NDArray[1];
        Supplier<NDArray> emptyPrompt = () -> {
            if (empty[0] == null) {
                empty[0] = encodeChunks(manager, List.of(emptyChunk), clipSkip);
            }
            return empty[0];
        };
        return Conditioning.scheduled(uncond, cond, emptyPrompt, batch, used);
    }

    private List<Conditioning.Timed> timed(NDManager manager, String prompt, int steps, Emphasis emphasis,
                                           int clipSkip, Set<Embedding> used) {
        List<ScheduledPrompt> schedule = PromptSchedule.parse(prompt).over(steps);
        List<NDArray> hidden = encodeSchedule(manager, schedule, emphasis, clipSkip, used);
        List<Conditioning.Timed> timed = new ArrayList<>();
        for (int i = 0; i < schedule.size(); i++) {
            timed.add(new Conditioning.Timed(schedule.get(i).endStep(), hidden.get(i)));
        }
        return timed;
    }

    /**
     * The embeddings of each entry of a schedule, [1, 77 * chunks, D], all with as many chunks as the longest
     * (padded with empty chunks, as A1111 batches them); entries of the same text share one array.
     */
    private List<NDArray> encodeSchedule(NDManager manager, List<ScheduledPrompt> schedule, Emphasis emphasis,
                                         int clipSkip, Set<Embedding> used) {
        Map<String, TokenizedPrompt> texts = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (ScheduledPrompt entry : schedule) {
            texts.computeIfAbsent(entry.text(), text -> tokenize(text, emphasis));
            counts.merge(entry.text(), 1, Integer::sum);
        }
        texts.values().forEach(text -> used.addAll(text.embeddings()));
        List<List<PromptChunk>> chunks = paddedToTheLongest(texts.values());
        NDArray hidden = encodeChunks(manager, chunks.stream().flatMap(List::stream).toList(), clipSkip);
        List<NDArray> encoded = emphasized(hidden, chunks, counts.values().stream().mapToInt(Integer::intValue).toArray());
        Map<String, NDArray> byText = new LinkedHashMap<>();
        int t = 0;
        for (String text : texts.keySet()) {
            byText.put(text, encoded.get(t++));
        }
        return schedule.stream().map(entry -> byText.get(entry.text())).toList();
    }

    /** Each text's chunks, followed by empty ones up to the longest text's count. */
    private List<List<PromptChunk>> paddedToTheLongest(Collection<TokenizedPrompt> texts) {
        int count = texts.stream().mapToInt(t -> t.chunks().size()).max().orElseThrow();
        List<List<PromptChunk>> padded = new ArrayList<>();
        for (TokenizedPrompt text : texts) {
            List<PromptChunk> chunks = new ArrayList<>(text.chunks());
            while (chunks.size() < count) {
                chunks.add(emptyChunk);
            }
            padded.add(chunks);
        }
        return padded;
    }

    /**
     * Each text's emphasized embeddings, [1, 77 * chunks, D], from the hidden states of all their chunks
     * ([texts * chunks, 77, D], text by text); the emphasis is applied position by position across the texts.
     */
    private static List<NDArray> emphasized(NDArray hidden, List<List<PromptChunk>> chunks, int[] counts) {
        int chunkCount = chunks.get(0).size();
        List<NDList> byText = new ArrayList<>();
        chunks.forEach(text -> byText.add(new NDList()));
        for (int c = 0; c < chunkCount; c++) {
            List<NDArray> states = new ArrayList<>();
            List<PromptChunk> atPosition = new ArrayList<>();
            for (int t = 0; t < chunks.size(); t++) {
                states.add(hidden.get(t * chunkCount + c));
                atPosition.add(chunks.get(t).get(c));
            }
            List<NDArray> weighted = EmphasisRescale.apply(states, atPosition, counts);
            for (int t = 0; t < chunks.size(); t++) {
                byText.get(t).add(weighted.get(t));
            }
        }
        return byText.stream().map(parts -> NDArrays.concat(parts, 0).expandDims(0)).toList();
    }

    /** One encoder pass per chunk, with each chunk's vectors in place of its token embeddings: [chunks, 77, D]. */
    private NDArray encodeChunks(NDManager manager, List<PromptChunk> chunks, int clipSkip) {
        long[][] ids = new long[chunks.size()][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = Arrays.stream(chunks.get(i).ids()).asLongStream().toArray();
        }
        NDArray inputs = textModel.tokenEmbeddings(manager.create(ids));
        for (int i = 0; i < chunks.size(); i++) {
            for (PromptChunk.Slot slot : chunks.get(i).vectors()) {
                int count = slot.vectors().count();
                NDArray vectors = DataTypes.as(manager.create(slot.vectors().values()), inputs.getDataType())
                        .reshape(count, slot.vectors().width());
                inputs.set(new NDIndex("{}, {}:{}, :", i, slot.position(), slot.position() + count), vectors);
            }
        }
        return textModel.encodeEmbeddings(inputs, clipSkip);
    }
}
