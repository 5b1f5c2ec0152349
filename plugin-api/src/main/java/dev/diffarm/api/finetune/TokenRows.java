package dev.diffarm.api.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The token-embedding matrix grown by new tokens' rows (textual inversion). The whole matrix is the trained array, as
 * diffusers trains it; {@link #restoreOtherRows()} puts every row but the new ones back after each step.
 */
public interface TokenRows {
    /** The grown matrix [V + n, D], marked as trained. */
    NDArray matrix();

    /** The text encoder's last hidden states of the captions, looked up in {@link #matrix()}; the token is expanded to its n rows. */
    NDArray encode(List<String> captions);

    /** Puts every row outside the new tokens back as it was. Call with gradient recording off. */
    void restoreOtherRows();

    /** The new rows [n, D], a copy. */
    NDArray newRows(NDManager manager);

    /** Writes AUTOMATIC1111's embedding file: {@code emb_params} [n, D] and the token's {@code name}. */
    void write(Path out, Map<String, String> metadata) throws IOException;

    /** Reads an A1111 embedding file back: {@code emb_params}. */
    Map<String, NDArray> read(Path file, NDManager manager) throws IOException;
}
