package dev.diffarm.farm.config;

/**
 * What the repainted area of an inpainting starts from ({@code inpaintingFill}), as AUTOMATIC1111's "Masked
 * content"; JSON takes the name or A1111's number.
 */
public enum InpaintingFill {
    /** Painted over with the colours around it (A1111's 0). */
    FILL("fill"),
    /** The picture as it is (A1111's 1, the default). */
    ORIGINAL("original"),
    /** Its latents replaced by noise (A1111's 2). */
    LATENT_NOISE("latent-noise"),
    /** Its latents zero (A1111's 3). */
    LATENT_NOTHING("latent-nothing");

    /** What {@code inpaintingFill} takes, completing "expected ...". */
    static final String EXPECTED = "\"fill\", \"original\", \"latent-noise\" or \"latent-nothing\" (or A1111's 0..3)";

    private final String id;

    InpaintingFill(String id) {
        this.id = id;
    }

    /** The name in JSON, such as {@code latent-noise}. */
    public String id() {
        return id;
    }
}
