package dev.diffarm.engine.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.diffarm.engine.model.VaeConfig;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.nn.Conv2d;
import dev.diffarm.engine.nn.NativeOps;

/**
 * Stable Diffusion's VAE. {@link #encode} gives the latent distribution of an image; {@link #decode}
 * turns a latent back into an image. Neither applies the scaling factor: the pipeline multiplies
 * encoded latents by it and divides latents by it before decoding.
 */
public final class AutoencoderKL {
    private final VaeConfig config;
    private final VaeEncoder encoder;
    private final Conv2d quantConv;
    private final Conv2d postQuantConv;
    private final VaeDecoder decoder;

    public AutoencoderKL(Weights w, VaeConfig config) {
        this.config = config;
        this.encoder = new VaeEncoder(w.at("encoder"), config);
        this.quantConv = new Conv2d(w.at("quant_conv"), 1, 0);
        this.postQuantConv = new Conv2d(w.at("post_quant_conv"), 1, 0);
        this.decoder = new VaeDecoder(w.at("decoder"), config);
    }

    public VaeConfig config() {
        return config;
    }

    /**
     * @param image [N, 3, H, W] in [-1, 1], H and W multiples of the scale factor
     * @return the latent distribution
     */
    public LatentDistribution encode(NDArray image) {
        NDArray moments = NativeOps.contiguous(quantConv.forward(encoder.forward(NativeOps.channelsLast(image))));
        NDList halves = moments.split(2, 1);
        return new LatentDistribution(halves.get(0), halves.get(1));
    }

    /** @param latent [N, 4, h, w], already divided by the scaling factor; returns [N, 3, H, W] in about [-1, 1] */
    public NDArray decode(NDArray latent) {
        return NativeOps.contiguous(decoder.forward(postQuantConv.forward(NativeOps.channelsLast(latent))));
    }
}
