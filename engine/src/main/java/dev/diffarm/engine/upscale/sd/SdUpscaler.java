package dev.diffarm.engine.upscale.sd;

import dev.diffarm.api.Progress;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.image.ModelHash;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * An SD x4 upscaler folder loaded and hashed once, ready for many pictures: the CLI's {@code upscale --upscaler DIR}
 * and the farm's upscale jobs both load it here and run it through {@link #upscale}, so a picture upscaled either
 * way is the same PNG. Close it to free the weights.
 */
public final class SdUpscaler implements AutoCloseable {
    private final Path folder;
    private final SdUpscaleModel model;
    private final String modelHash;

    private SdUpscaler(Path folder, SdUpscaleModel model, String modelHash) {
        this.folder = folder;
        this.model = model;
        this.modelHash = modelHash;
    }

    /**
     * Loads the {@value SdUpscaleModel#PIPELINE_CLASS} folder {@code folder} and its A1111 model hash (of the whole
     * folder, as {@link ModelHash} hashes diffusers folders).
     *
     * @throws dev.diffarm.engine.model.ModelLoadException as {@link SdUpscaleModel#load}
     */
    public static SdUpscaler load(Path folder, TokenizerLocator tokenizers) {
        String hash;
        try {
            hash = ModelHash.shortHash(folder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash the upscaler " + folder + ": " + e.getMessage(), e);
        }
        return new SdUpscaler(folder, SdUpscaleModel.load(folder, Optional.empty(), tokenizers), hash);
    }

    /**
     * Upscales {@code request.lowRes()} with {@code pipeline} (its samplers and embeddings); the result's
     * {@link SdUpscaleResult#png()} is the file both the CLI and the farm write.
     *
     * @throws IllegalArgumentException  as {@link SdUpscale#upscale}, naming the field
     * @throws java.util.concurrent.CancellationException when {@code progress} was cancelled
     */
    public SdUpscaleResult upscale(SdUpscale pipeline, SdUpscaleRequest request, Progress progress) {
        return pipeline.upscale(model, modelHash, request, progress);
    }

    /** The folder it was loaded from. */
    public Path folder() {
        return folder;
    }

    /** The highest noise level a request may ask for ({@link SdUpscaleModel#highestNoiseLevel()}). */
    public int highestNoiseLevel() {
        return model.highestNoiseLevel();
    }

    /** The output is this many times the input along each side. */
    public int scale() {
        return model.scale();
    }

    @Override
    public void close() {
        model.close();
    }

    @Override
    public String toString() {
        return "SD x4 upscaler " + folder + " [" + modelHash + "]";
    }
}
