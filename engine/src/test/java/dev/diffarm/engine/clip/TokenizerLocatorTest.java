package dev.diffarm.engine.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lookup order of the tokenizer folder, the cached download, and the message when nothing is found. */
class TokenizerLocatorTest {
    private static final String HUB_REPO_FOLDER = "models--openai--clip-vit-large-patch14";
    private static final VocabularyDownloader NO_DOWNLOAD = (file, target) -> {
        throw new AssertionError("no download expected, but " + file + " was fetched");
    };

    @TempDir
    Path root;

    private Path hub() {
        return root.resolve("hf/hub");
    }

    private Path cache() {
        return root.resolve("diffarm-cache");
    }

    /** A copy of the tiny tokenizer's two files in {@code dir}. */
    private static Path tokenizerFolder(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String file : List.of("vocab.json", "merges.txt")) {
            Files.copy(ClipFixtures.tinyTokenizerDir().resolve(file), dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        return dir;
    }

    private Path singleFileModel() throws IOException {
        return Files.writeString(root.resolve("model.safetensors"), "not read by the locator");
    }

    private static void assertMentions(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "'" + message + "' should mention '" + part + "'");
        }
    }

    @Test
    void explicitFolderComesFirst() throws IOException {
        Path explicit = tokenizerFolder(root.resolve("mine"));
        Path model = root.resolve("diffusers-model");
        tokenizerFolder(model.resolve("tokenizer"));
        TokenizerLocator locator = new TokenizerLocator(hub(), cache(), NO_DOWNLOAD);
        assertEquals(explicit, locator.locate(Optional.of(explicit), model));
    }

    @Test
    void explicitFolderMissingAFileIsAnError() throws IOException {
        Path explicit = tokenizerFolder(root.resolve("mine"));
        Files.delete(explicit.resolve("merges.txt"));
        tokenizerFolder(hub().resolve(HUB_REPO_FOLDER + "/snapshots/abc"));
        TokenizerLocator locator = new TokenizerLocator(hub(), cache(), NO_DOWNLOAD);
        String message = assertThrows(TokenizerException.class,
                () -> locator.locate(Optional.of(explicit), singleFileModel())).getMessage();
        System.out.println("locator error: " + message);
        assertMentions(message, "--tokenizer " + explicit, "merges.txt is missing");
    }

    @Test
    void diffusersFolderUsesItsTokenizer() throws IOException {
        Path model = root.resolve("diffusers-model");
        Path tokenizer = tokenizerFolder(model.resolve("tokenizer"));
        tokenizerFolder(hub().resolve(HUB_REPO_FOLDER + "/snapshots/abc"));
        TokenizerLocator locator = new TokenizerLocator(hub(), cache(), NO_DOWNLOAD);
        assertEquals(tokenizer, locator.locate(Optional.empty(), model));
    }

    @Test
    void huggingFaceCachePrefersTheMainRevision() throws IOException {
        Path snapshots = hub().resolve(HUB_REPO_FOLDER + "/snapshots");
        tokenizerFolder(snapshots.resolve("aaa"));
        Path main = tokenizerFolder(snapshots.resolve("bbb"));
        Files.createDirectories(snapshots.resolve("000"));
        Files.createDirectories(hub().resolve(HUB_REPO_FOLDER + "/refs"));
        Files.writeString(hub().resolve(HUB_REPO_FOLDER + "/refs/main"), "bbb\n");
        tokenizerFolder(cache().resolve("clip-vit-large-patch14"));
        TokenizerLocator locator = new TokenizerLocator(hub(), cache(), NO_DOWNLOAD);
        Path model = root.resolve("diffusers-model-without-tokenizer");
        Files.createDirectories(model);
        assertEquals(main, locator.locate(Optional.empty(), model));
    }

    @Test
    void diffarmCacheIsUsedWithoutDownloading() throws IOException {
        Path cached = tokenizerFolder(cache().resolve("clip-vit-large-patch14"));
        Files.createDirectories(hub().resolve(HUB_REPO_FOLDER + "/snapshots/incomplete"));
        TokenizerLocator locator = new TokenizerLocator(hub(), cache(), NO_DOWNLOAD);
        assertEquals(cached, locator.locate(Optional.empty(), singleFileModel()));
    }

    @Test
    void downloadIsCachedOnce() throws IOException {
        List<String> fetched = new ArrayList<>();
        VocabularyDownloader fake = (file, target) -> {
            fetched.add(file);
            Files.copy(ClipFixtures.tinyTokenizerDir().resolve(file), target, StandardCopyOption.REPLACE_EXISTING);
        };
        Path model = singleFileModel();
        Path located = new TokenizerLocator(hub(), cache(), fake).locate(Optional.empty(), model);
        assertEquals(cache().resolve("clip-vit-large-patch14"), located);
        assertEquals(List.of("vocab.json", "merges.txt"), fetched);
        assertEquals(List.of("clip-vit-large-patch14"), cacheEntries(), "no temporary files are left");
        ClipTokenizer tokenizer = new TokenizerLocator(hub(), cache(), NO_DOWNLOAD).load(Optional.empty(), model);
        assertEquals(802, tokenizer.eos());
    }

    @Test
    void unusableDownloadIsNotCached() throws IOException {
        VocabularyDownloader broken = (file, target) -> Files.writeString(target, "<html>rate limited</html>");
        TokenizerLocator locator = new TokenizerLocator(hub(), cache(), broken);
        String message = assertThrows(TokenizerException.class,
                () -> locator.locate(Optional.empty(), singleFileModel())).getMessage();
        System.out.println("locator error: " + message);
        assertMentions(message, "vocab.json", "not valid JSON", "--tokenizer DIR");
        assertEquals(List.of(), cacheEntries(), "nothing is left in the cache");
    }

    @Test
    void unreachableHubGivesTheHowToSupplyMessage() throws IOException {
        VocabularyDownloader unreachable = new HubDownloader(URI.create("http://127.0.0.1:1/clip/"), Duration.ofMillis(500));
        TokenizerLocator locator = new TokenizerLocator(hub(), cache(), unreachable);
        Path model = singleFileModel();
        String message = assertThrows(TokenizerException.class, () -> locator.locate(Optional.empty(), model)).getMessage();
        System.out.println("locator error: " + message);
        assertMentions(message, model.toString(), "single checkpoint file", hub().resolve(HUB_REPO_FOLDER).toString(),
                cache().resolve("clip-vit-large-patch14").toString(), "http://127.0.0.1:1/clip/vocab.json",
                "--tokenizer DIR", "vocab.json and merges.txt");
        assertEquals(List.of(), cacheEntries(), "nothing is left in the cache");
    }

    @Test
    void environmentNamesTheCaches() throws IOException {
        Path home = root.resolve("home");
        Path viaHfHome = tokenizerFolder(root.resolve("hf-home/hub/" + HUB_REPO_FOLDER + "/snapshots/r1"));
        Map<String, String> env = Map.of("HF_HOME", root.resolve("hf-home").toString(), "HF_HUB_OFFLINE", "1");
        assertEquals(viaHfHome, TokenizerLocator.fromEnvironment(env, home).locate(Optional.empty(), singleFileModel()));

        Path viaDefaultHome = tokenizerFolder(home.resolve(".cache/diffarm/clip-vit-large-patch14"));
        assertEquals(viaDefaultHome, TokenizerLocator.fromEnvironment(Map.of("HF_HUB_OFFLINE", "1"), home)
                .locate(Optional.empty(), singleFileModel()));

        Map<String, String> emptyCaches = Map.of("DIFFARM_CACHE", cache().toString(),
                "HF_HUB_CACHE", hub().toString(), "HF_HUB_OFFLINE", "1");
        String message = assertThrows(TokenizerException.class, () -> TokenizerLocator.fromEnvironment(emptyCaches, home)
                .locate(Optional.empty(), singleFileModel())).getMessage();
        assertMentions(message, hub().toString(), cache().toString(), "HF_HUB_OFFLINE is set", "--tokenizer DIR");
    }

    private List<String> cacheEntries() throws IOException {
        if (!Files.isDirectory(cache())) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(cache())) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
