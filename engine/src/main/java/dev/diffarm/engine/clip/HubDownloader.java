package dev.diffarm.engine.clip;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * Downloads tokenizer files over HTTP(S) from a folder URL, by default the HuggingFace hub's copy of
 * {@code openai/clip-vit-large-patch14}. The timeouts are short: a machine without a network should fail
 * over to the "supply --tokenizer" message quickly rather than hang.
 */
public final class HubDownloader implements VocabularyDownloader {
    /** Where the hub serves the files of {@link TokenizerLocator#HUB_REPO} at its main revision. */
    public static final URI HUGGING_FACE = URI.create("https://huggingface.co/" + TokenizerLocator.HUB_REPO + "/resolve/main/");
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final URI base;
    private final Duration timeout;
    private final HttpClient client;

    /**
     * @param base    the folder URL the file names are resolved against (ending in '/')
     * @param timeout the limit for connecting and for the response to start
     */
    public HubDownloader(URI base, Duration timeout) {
        this.base = base;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    @Override
    public void fetch(String fileName, Path target) throws IOException {
        URI uri = base.resolve(fileName);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        HttpResponse<Path> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofFile(target,
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("download of " + uri + " interrupted");
        } catch (IOException e) {
            throw new IOException("cannot download " + uri + ": " + e, e);
        }
        if (response.statusCode() != 200) {
            throw new IOException("cannot download " + uri + ": HTTP status " + response.statusCode());
        }
    }
}
