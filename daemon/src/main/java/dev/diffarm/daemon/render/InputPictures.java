package dev.diffarm.daemon.render;

import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.port.StoreException;
import dev.diffarm.engine.train.data.ImageDecoder;
import dev.diffarm.engine.train.data.Rgb8Image;
import dev.diffarm.engine.upscale.ExtrasUpscale;
import dev.diffarm.farm.config.ImageInput;
import dev.diffarm.farm.config.InlineImage;
import dev.diffarm.farm.config.Limits;
import dev.diffarm.farm.config.StoredImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The pictures tasks name ({@code initImage}, {@code mask}), decoded as the CLI decodes its files: by the engine's
 * {@link ImageDecoder}, which refuses more than {@value Limits#MAX_INPUT_PIXELS} pixels before decoding. A stored one
 * is streamed from the farm's store into a temporary file first, so a large object never sits whole on the heap.
 */
public final class InputPictures {
    private static final ImageDecoder DECODER = new ImageDecoder(Limits.MAX_INPUT_PIXELS);

    private final Optional<OutputStore> store;

    private InputPictures(Optional<OutputStore> store) {
        this.store = store;
    }

    /** Pictures inline in the job or in {@code store} under {@value ImageInput#INPUTS_PREFIX}. */
    public static InputPictures from(OutputStore store) {
        return new InputPictures(Optional.of(store));
    }

    /** Pictures inline in the job only: a stored one fails the task (a renderer without a store). */
    public static InputPictures inlineOnly() {
        return new InputPictures(Optional.empty());
    }

    /**
     * A picture and the A1111 generation parameters its PNG holds, if any (an upscale keeps them).
     *
     * @param pixels     the pixels
     * @param parameters the PNG's {@code parameters} text
     */
    public record SourcePicture(Rgb8Image pixels, Optional<String> parameters) {
    }

    /**
     * The pixels of {@code picture}, the job's field {@code field}.
     *
     * @throws RenderException ({@value RenderException#INPUT_UNAVAILABLE}) naming the field and the key when the
     *                         object is missing, unreadable or not a picture within the pixel limit
     */
    public Rgb8Image read(String field, ImageInput picture) {
        return read(field, picture, DECODER::decode);
    }

    /** As {@link #read(String, ImageInput)}, with the picture's generation parameters. */
    public SourcePicture readWithParameters(String field, ImageInput picture) {
        return read(field, picture, file -> new SourcePicture(DECODER.decode(file), ExtrasUpscale.sourceParameters(file)));
    }

    /** What is read from the picture's file. */
    @FunctionalInterface
    private interface FileReading<T> {
        T read(Path file) throws IOException;
    }

    private <T> T read(String field, ImageInput picture, FileReading<T> reading) {
        Path file = null;
        try {
            file = Files.createTempFile("diffarm-input-", ".img");
            if (picture instanceof InlineImage inline) {
                Files.write(file, inline.bytes());
            } else if (!download(((StoredImage) picture).key(), file)) {
                throw new RenderException(RenderException.INPUT_UNAVAILABLE, field + " = \"" + picture.json()
                        + "\": no such object in the store " + store.map(OutputStore::location).orElse("(none)"), null);
            }
            return reading.read(file);
        } catch (IOException | RuntimeException e) {
            if (e instanceof RenderException known) {
                throw known;
            }
            throw new RenderException(RenderException.INPUT_UNAVAILABLE, field + " = \"" + shown(picture)
                    + "\": cannot be read as a picture: " + e.getMessage(), e);
        } finally {
            delete(file);
        }
    }

    private boolean download(String key, Path file) {
        try {
            return store.isPresent() && store.get().download(key, file);
        } catch (StoreException e) {
            throw new RenderException(RenderException.INPUT_UNAVAILABLE, "cannot read " + key + ": " + e.getMessage(), e);
        }
    }

    /** A key as it is; an inline picture by its digest, not its bytes. */
    private static String shown(ImageInput picture) {
        return picture instanceof InlineImage ? picture.identity() : picture.json();
    }

    private static void delete(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the temporary " + file, e);
        }
    }
}
