package dev.diffarm.daemon.render;

import java.util.Optional;

/**
 * What a node has for the modes that name things of its own: the upscalers a hires pass may name besides the latent
 * ones, the ControlNets and preprocessors of ControlNet units. Without one, a task that names such a thing fails
 * naming its field.
 *
 * @param upscalers   the upscaler plugins' resamplers and the upscaler model files
 * @param controlNets the ControlNet models and the preprocessor plugins
 */
public record ModeCatalogs(Optional<UpscalerCatalog> upscalers, Optional<ControlNetCatalog> controlNets) {
    /** A node with neither: latent hires passes only, no ControlNet units. */
    public static final ModeCatalogs NONE = new ModeCatalogs(Optional.empty(), Optional.empty());

    public ModeCatalogs {
        java.util.Objects.requireNonNull(upscalers, "upscalers");
        java.util.Objects.requireNonNull(controlNets, "controlNets");
    }
}
