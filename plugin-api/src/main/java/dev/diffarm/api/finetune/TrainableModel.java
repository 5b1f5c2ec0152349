package dev.diffarm.api.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;

/**
 * The model being fine-tuned, as the host lends it to a {@link FineTuneMethod}: its predictions and text encoding with
 * gradients flowing through, and the trainable parts the host knows how to build, check against the reference and
 * save in the formats its render path (and A1111, ComfyUI) read back. A method combines these; it needs no engine
 * class.
 */
public interface TrainableModel {
    /**
     * The UNet's prediction for {@code noisy} at {@code timesteps} under the text embeddings {@code text}, with every
     * attached adapter.
     */
    NDArray predict(NDArray noisy, long[] timesteps, NDArray text);

    /**
     * The text encoder's last hidden states [b, tokens, D] of the captions (no attention mask), with every attached
     * text-encoder adapter; gradients flow into whatever of it is trained.
     */
    NDArray encode(List<String> captions);

    /**
     * A LoRA on the UNet's linear layers, fresh: A drawn from the run's generator (peft's init), B zero.
     *
     * @param targets peft's target module names ({@code to_q, to_k, ...}); empty for kohya's default set
     * @throws IllegalArgumentException naming the option for a rank below 1, a non-positive alpha, targets that select
     *                                  nothing
     */
    default LoraAdapter createLora(List<String> targets, int rank, float alpha, NDManager manager) {
        return createLora(LoraParts.UNET, targets, rank, alpha, manager);
    }

    /**
     * A fresh LoRA on the linear layers of {@code parts}: A drawn from the run's generator (peft's init), the text
     * encoder's modules first (kohya's order), B zero. The text encoder's layers are kohya's default set (every linear
     * layer of its attention and MLP blocks: {@code q_proj, k_proj, v_proj, out_proj, fc1, fc2}).
     *
     * @param targets peft's target module names of the UNet ({@code to_q, to_k, ...}); empty for kohya's default set
     * @throws IllegalArgumentException naming the option for a rank below 1, a non-positive alpha, targets that select
     *                                  nothing
     */
    LoraAdapter createLora(LoraParts parts, List<String> targets, int rank, float alpha, NDManager manager);

    /**
     * A LoRA starting from a file (kohya's or diffusers' layout), on the layers it names: the UNet's and, for
     * {@code lora_te_} modules, the text encoder's (what the file holds decides what trains, as kohya's
     * {@code --dim_from_weights}).
     */
    LoraAdapter loadLora(Path file, NDManager manager);

    /**
     * New tokens for textual inversion: {@code vectors} new rows of the token-embedding matrix, each a copy of
     * {@code initToken}'s row, triggered by {@code token} in a caption.
     *
     * @throws IllegalArgumentException naming the option if the token is empty or already a word of the vocabulary,
     *                                  or the init token is not a single token
     */
    TokenRows addTokens(String token, String initToken, int vectors, NDManager manager);

    /** The whole UNet as the trained arrays (DreamBooth). */
    TrainedUNet trainUNet();

    /**
     * The whole text encoder as trained arrays (DreamBooth's {@code --train_text_encoder}); the model's
     * {@link TrainedUNet} then saves the trained text encoder in its checkpoint.
     */
    TrainedTextEncoder trainTextEncoder();
}
