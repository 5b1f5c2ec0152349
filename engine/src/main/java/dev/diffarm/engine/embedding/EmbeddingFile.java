package dev.diffarm.engine.embedding;

import dev.diffarm.engine.image.ModelHash;
import dev.diffarm.engine.safetensors.SafetensorsException;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.torchzip.TorchArchive;
import dev.diffarm.engine.torchzip.TorchFileException;
import dev.diffarm.engine.torchzip.TorchTensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A textual-inversion embedding file, read: {@code count} vectors of {@code width} values. Three forms are
 * read, by content:
 * <ul>
 *   <li>AUTOMATIC1111's {@code .safetensors}: one tensor {@code emb_params} [n, D];</li>
 *   <li>AUTOMATIC1111's {@code .pt} (a torch zip file): a dict whose {@code string_to_param} holds one
 *       tensor [n, D];</li>
 *   <li>diffusers' {@code learned_embeds.safetensors} (or {@code .bin}, a torch zip file): one tensor named
 *       by its token, {@code {'<token>': [n, D]}} or [D].</li>
 * </ul>
 * A1111 triggers an embedding by its file name without extension; diffusers by its token. Torch files are
 * read without running their pickle ({@link TorchArchive}).
 *
 * @param path   the file
 * @param token  the token a diffusers-form file names its vectors by
 * @param count  vectors
 * @param width  values per vector
 * @param values {@code count * width} values, row by row
 * @param sha256 the file's SHA-256 in hex
 */
public record EmbeddingFile(Path path, Optional<String> token, int count, int width, float[] values, String sha256) {
    /** File name endings read as embeddings. */
    public static final List<String> EXTENSIONS = List.of(".safetensors", ".pt", ".bin");
    private static final String A1111_SAFETENSORS_KEY = "emb_params";
    private static final String A1111_PICKLE_KEY = "string_to_param";
    /** A1111's short hash of an embedding file: the first 12 hex digits of its SHA-256. */
    private static final int SHORT_HASH_LENGTH = 12;

    /** The name A1111 triggers it by: the file name without its extension. */
    public String fileStem() {
        return stemOf(path);
    }

    static String stemOf(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    /** The names a prompt triggers it by: the file stem, and the diffusers token if there is one. */
    public List<String> triggers() {
        List<String> triggers = new ArrayList<>(List.of(fileStem()));
        token.filter(t -> !t.equals(fileStem())).ifPresent(triggers::add);
        return triggers;
    }

    /** A1111's {@code shorthash}, written in an image's {@code TI hashes}. */
    public String shortHash() {
        return sha256.substring(0, SHORT_HASH_LENGTH);
    }

    /**
     * Reads an embedding file.
     *
     * @throws EmbeddingException naming the file and what is wrong with it
     */
    public static EmbeddingFile read(Path path) {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        try {
            Vectors vectors = name.endsWith(".safetensors") ? fromSafetensors(path) : fromTorch(path);
            if (vectors.values.length == 0) {
                throw new EmbeddingException(path + ": the embedding has no vectors");
            }
            return new EmbeddingFile(path, vectors.token, vectors.count, vectors.width, vectors.values,
                    ModelHash.sha256(path));
        } catch (SafetensorsException | TorchFileException e) {
            throw new EmbeddingException(e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    private record Vectors(Optional<String> token, int count, int width, float[] values) {
        static Vectors of(Path path, String tensor, Optional<String> token, long[] shape, float[] values) {
            if (shape.length == 1) {
                return new Vectors(token, 1, values.length, values);
            }
            if (shape.length != 2) {
                throw new EmbeddingException(path + ": tensor '" + tensor + "' has shape " + Arrays.toString(shape)
                        + "; an embedding is [vectors, width] or [width]");
            }
            return new Vectors(token, Math.toIntExact(shape[0]), Math.toIntExact(shape[1]), values);
        }
    }

    private static Vectors fromSafetensors(Path path) {
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            if (file.contains(A1111_SAFETENSORS_KEY)) {
                return Vectors.of(path, A1111_SAFETENSORS_KEY, Optional.empty(),
                        file.info(A1111_SAFETENSORS_KEY).shape(), file.floats(A1111_SAFETENSORS_KEY));
            }
            if (file.names().size() == 1) {
                String token = file.names().iterator().next();
                return Vectors.of(path, token, Optional.of(token), file.info(token).shape(), file.floats(token));
            }
            throw new EmbeddingException(path + ": " + unknownForm(List.copyOf(file.names())));
        }
    }

    private static Vectors fromTorch(Path path) {
        try (TorchArchive archive = TorchArchive.open(path)) {
            if (!(archive.root() instanceof Map<?, ?> root)) {
                throw new EmbeddingException(path + ": holds " + archive.root() + ", not a dict of tensors");
            }
            if (root.get(A1111_PICKLE_KEY) instanceof Map<?, ?> parameters) {
                if (parameters.size() != 1 || !(parameters.values().iterator().next() instanceof TorchTensor tensor)) {
                    throw new EmbeddingException(path + ": " + A1111_PICKLE_KEY + " holds " + parameters.size()
                            + " entries; an embedding has one tensor");
                }
                return Vectors.of(path, A1111_PICKLE_KEY, Optional.empty(), tensor.shape(), archive.floats(tensor));
            }
            if (root.size() == 1 && root.keySet().iterator().next() instanceof String token
                    && root.get(token) instanceof TorchTensor tensor) {
                return Vectors.of(path, token, Optional.of(token), tensor.shape(), archive.floats(tensor));
            }
            throw new EmbeddingException(path + ": " + unknownForm(new ArrayList<>(root.keySet())));
        }
    }

    private static String unknownForm(List<?> keys) {
        boolean sdxl = keys.contains("clip_l") || keys.contains("clip_g");
        return sdxl ? "an SDXL embedding (clip_l / clip_g), which SD 1.x cannot use"
                : "not an embedding: expected '" + A1111_SAFETENSORS_KEY + "', '" + A1111_PICKLE_KEY
                        + "' or a single tensor named by its token, found " + keys;
    }
}
