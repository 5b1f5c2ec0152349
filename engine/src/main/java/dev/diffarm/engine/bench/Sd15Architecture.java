package dev.diffarm.engine.bench;

import dev.diffarm.engine.model.TextEncoderConfig;
import dev.diffarm.engine.model.UNetConfig;
import dev.diffarm.engine.model.VaeConfig;
import java.util.List;

/** The configuration of Stable Diffusion 1.5's UNet and VAE, as its diffusers folder states it. */
final class Sd15Architecture {
    private Sd15Architecture() {
    }

    static UNetConfig unet() {
        return new UNetConfig(4, 4, List.of(320, 640, 1280, 1280),
                List.of("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
                List.of("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
                2, List.of(8, 8, 8, 8), 768, 32, 1e-5, true, 0, 0, false);
    }

    static VaeConfig vae() {
        return new VaeConfig(3, 3, 4, List.of(128, 256, 512, 512), 2, 32, 0.18215);
    }

    /** CLIP ViT-L/14's text transformer. */
    static TextEncoderConfig textEncoder() {
        return new TextEncoderConfig(49408, 768, 12, 12, 3072, 77, 1e-5, true);
    }

    static final int TEXT_WIDTH = 768;
    static final int TEXT_TOKENS = 77;
}
