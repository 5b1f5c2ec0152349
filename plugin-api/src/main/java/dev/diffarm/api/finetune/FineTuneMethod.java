package dev.diffarm.api.finetune;

import ai.djl.ndarray.NDManager;
import org.pf4j.ExtensionPoint;

/**
 * A way to fine-tune a Stable Diffusion model (LoRA, DreamBooth, Textual Inversion, ...), as a plugin supplies it.
 *
 * <p>A method decides only what is its own: which arrays it trains, the loss of a micro-batch, what must happen after
 * each optimizer step, and how the result is saved. The host runs everything else in one loop shared by all methods:
 * the data and its draws (noise, timesteps, order), the optimizer (AdamW), the learning-rate schedule, gradient
 * accumulation and clipping, the saved training state and resume, progress.
 *
 * <p>One step of the host's loop, per micro-batch: the host draws the noise and timesteps, builds the noisy latents and
 * the objective's target, and calls {@link Training#loss} inside a gradient recording; it back-propagates the result.
 * After the last micro-batch it clips and applies AdamW to {@link Training#parameters()}, zeroes the gradients, and
 * calls {@link Training#afterStep()}.
 */
public interface FineTuneMethod extends ExtensionPoint {
    /** The name users pick it by: {@code lora}, {@code dreambooth}, {@code textual-inversion}. */
    String name();

    /**
     * Prepares a run on {@code model}: creates (or loads) the arrays to train, marked as requiring gradients.
     *
     * @param options the method's own options as the user gave them ({@code network-dim}, {@code token}, ...)
     * @param manager owns what the training keeps for the whole run; closed by the host after the run
     * @throws IllegalArgumentException naming the option if one is bad
     */
    Training start(TrainableModel model, MethodOptions options, NDManager manager);
}
