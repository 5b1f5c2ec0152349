package dev.diffarm.engine.torchzip;

/** A torch file that cannot be read, or whose pickle asks for more than plain data; the message names the file. */
public class TorchFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TorchFileException(String message) {
        super(message);
    }

    public TorchFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
