package dev.diffarm.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.api.finetune.LoraAdapter;
import dev.diffarm.api.finetune.LoraParts;
import dev.diffarm.api.finetune.TokenRows;
import dev.diffarm.api.finetune.TrainableModel;
import dev.diffarm.api.finetune.TrainedTextEncoder;
import dev.diffarm.api.finetune.TrainedUNet;
import dev.diffarm.engine.lora.LoraWeights;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.random.TorchGenerator;
import dev.diffarm.engine.unet.CheckpointedForward;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A loaded {@link StableDiffusion} as a fine-tune plugin sees it. A fresh LoRA's A is drawn from the run's
 * {@code generator}, so the run's draw order is: the VAE posterior draws, then the LoRA's init (the text encoder's
 * modules first, then the UNet's), then the steps. The text encoding runs through every attached text-encoder LoRA.
 */
public final class HostModel implements TrainableModel {
    private final StableDiffusion model;
    private final TorchGenerator generator;
    private final NDManager manager;
    private final Optional<CheckpointedForward> checkpoints;
    /** The text encoder once a method trains it: the checkpoint a {@link HostUNet} writes then holds it. */
    private HostTextEncoder trainedText;

    /**
     * @param manager holds the arrays made for a call (token ids); run the calls inside an {@code NDScope} (one per
     *                step) so that they are freed with the step
     */
    public HostModel(StableDiffusion model, TorchGenerator generator, NDManager manager) {
        this(model, generator, manager, Optional.empty());
    }

    /** @param checkpoints the UNet's predictions are checkpointed with it (the loop finishes their backward pass) */
    public HostModel(StableDiffusion model, TorchGenerator generator, NDManager manager,
                     Optional<CheckpointedForward> checkpoints) {
        this.model = model;
        this.generator = generator;
        this.manager = manager;
        this.checkpoints = checkpoints;
    }

    @Override
    public NDArray predict(NDArray noisy, long[] timesteps, NDArray text) {
        float[] t = asFloats(timesteps);
        return checkpoints.map(c -> model.unet().forward(noisy, t, text, c))
                .orElseGet(() -> model.unet().forward(noisy, t, text));
    }

    static float[] asFloats(long[] timesteps) {
        float[] out = new float[timesteps.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = timesteps[i];
        }
        return out;
    }

    @Override
    public NDArray encode(List<String> captions) {
        int context = model.tokenizer().contextLength();
        long[] ids = new long[captions.size() * context];
        for (int i = 0; i < captions.size(); i++) {
            int[] tokens = model.tokenizer().encodeTruncated(captions.get(i));
            for (int j = 0; j < context; j++) {
                ids[i * context + j] = tokens[j];
            }
        }
        return model.textModel().encode(manager.create(ids, new Shape(captions.size(), context)), 1);
    }

    @Override
    public LoraAdapter createLora(LoraParts parts, List<String> targets, int rank, float alpha, NDManager manager) {
        LoraTargetModules modules = targets.isEmpty() ? LoraTargetModules.kohyaDefault() : LoraTargetModules.peft(targets);
        return new HostLora(LoraNetwork.create(layers(), parts, modules, rank, alpha, generator, manager), manager);
    }

    private LoraNetwork.Layers layers() {
        return new LoraNetwork.Layers(model.textEncoderLayers(), model.unetLayers());
    }

    @Override
    public LoraAdapter loadLora(Path file, NDManager manager) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--network-weights: " + file + " is not a file");
        }
        try (LoraWeights start = LoraWeights.read(file)) {
            return new HostLora(LoraNetwork.fromFile(layers(), start, manager), manager);
        }
    }

    @Override
    public TokenRows addTokens(String token, String initToken, int vectors, NDManager runManager) {
        if (token.isBlank() || token.strip().contains(" ")) {
            throw new IllegalArgumentException("--token: expected one word such as <zwx>, got '" + token + "'");
        }
        int[] existing = model.tokenizer().tokenize(token);
        if (existing.length == 1) {
            throw new IllegalArgumentException("--token: '" + token + "' is already a token of the vocabulary; pick a "
                    + "rare word such as <zwx>");
        }
        int[] init = model.tokenizer().tokenize(initToken);
        if (init.length != 1) {
            throw new IllegalArgumentException("--init-token: '" + initToken + "' is " + init.length
                    + " tokens " + Arrays.toString(init) + "; expected a single token such as person");
        }
        try (NDManager scratch = manager.newSubManager()) {
            int size = model.textModel().config().vocabSize();
            NDArray vocabulary = model.textModel().tokenEmbeddings(scratch.arange(0, size, 1, DataType.INT64));
            return new HostTokenRows(model.tokenizer(), model.textModel(), vocabulary, token.strip(), init[0], vectors,
                    runManager);
        }
    }

    @Override
    public TrainedUNet trainUNet() {
        return new HostUNet(model.unet(), model.path(), () -> trainedText == null ? Map.of() : trainedText.parameters());
    }

    @Override
    public TrainedTextEncoder trainTextEncoder() {
        trainedText = new HostTextEncoder(model.textModel(), model.textEncoderLayers());
        return trainedText;
    }
}
