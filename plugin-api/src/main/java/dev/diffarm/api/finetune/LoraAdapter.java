package dev.diffarm.api.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A LoRA on some of the UNet's and the text encoder's linear layers, unmerged: an attached layer computes
 * {@code W x + b + (alpha / r) · B (A x)} with A ("down", [r, in]) and B ("up", [out, r]) the trained arrays.
 */
public interface LoraAdapter {
    /**
     * Per layer its A then its B, named {@code <layer path>.down} and {@code .up}: the text encoder's layers first
     * (their paths start with {@code text_model.}), then the UNet's, each in its model's order.
     */
    Map<String, NDArray> parameters();

    /** The part of {@link #parameters()} on the text encoder's layers (kohya's {@code --text_encoder_lr} group). */
    Map<String, NDArray> textEncoderParameters();

    /** Which parts of the model the LoRA has modules on. */
    LoraParts parts();

    /** Makes the layers add their LoRA term. */
    void attach();

    /** Gives the layers back their plain computation. */
    void detach();

    int rank();

    float alpha();

    /**
     * Writes a kohya-format file ({@code lora_unet_*} and {@code lora_te_*}: {@code .lora_down.weight},
     * {@code .lora_up.weight}, {@code .alpha}) with
     * {@code metadata} and kohya's network entries ({@code ss_network_dim}, {@code ss_network_alpha}, ...).
     */
    void write(Path out, Map<String, String> metadata) throws IOException;

    /** The arrays {@link #write} writes, by their kohya key. */
    Map<String, NDArray> fileArrays();

    /** Reads a kohya-format file back, by key. */
    Map<String, NDArray> read(Path file, NDManager manager) throws IOException;
}
