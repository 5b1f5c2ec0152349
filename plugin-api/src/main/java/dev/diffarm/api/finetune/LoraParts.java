package dev.diffarm.api.finetune;

/**
 * Which parts of the model a LoRA has modules on, as kohya's {@code train_network.py} chooses them: both by default,
 * the UNet alone with {@code --network_train_unet_only}, the text encoder alone with
 * {@code --network_train_text_encoder_only}.
 */
public enum LoraParts {
    /** kohya's default: the text encoder's attention and MLP layers and the UNet's. */
    UNET_AND_TEXT_ENCODER,
    /** The UNet's layers only ({@code --network_train_unet_only}). */
    UNET,
    /** The text encoder's layers only ({@code --network_train_text_encoder_only}). */
    TEXT_ENCODER;

    public boolean hasUNet() {
        return this != TEXT_ENCODER;
    }

    public boolean hasTextEncoder() {
        return this != UNET;
    }
}
