package dev.diffarm.engine.clip;

import dev.diffarm.engine.io.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the CLIP tokenizer for a model. In order:
 * <ol>
 * <li>the folder given with {@code --tokenizer DIR} (an error if it lacks a file: no silent fallback);</li>
 * <li>a diffusers model folder's {@code tokenizer/};</li>
 * <li>a HuggingFace cache copy of {@value #HUB_REPO}: {@code <hub>/models--openai--clip-vit-large-patch14/
 *     snapshots/<rev>/}, the revision {@code refs/main} names first;</li>
 * <li>diffarm's own cache, {@code <cache>/clip-vit-large-patch14/};</li>
 * <li>a download of the two files into diffarm's cache. They are fetched into a temporary folder beside
 *     it and checked by loading them, then each is moved into place atomically, so an interrupted or bad
 *     download never leaves a half-written cache.</li>
 * </ol>
 * A folder qualifies when it holds both {@code vocab.json} and {@code merges.txt}. When every step fails
 * the error says where it looked and how to supply the files.
 */
public final class TokenizerLocator {
    public static final String HUB_REPO = "openai/clip-vit-large-patch14";
    static final String CACHE_FOLDER = "clip-vit-large-patch14";
    private static final String HUB_FOLDER = "models--" + HUB_REPO.replace("/", "--");
    private static final List<String> FILES = List.of(TokenizerFiles.VOCAB, TokenizerFiles.MERGES);

    private final Path huggingFaceHub;
    private final Path diffarmCache;
    private final VocabularyDownloader downloader;

    /**
     * @param huggingFaceHub the HuggingFace hub cache (the folder holding {@code models--*} folders)
     * @param diffarmCache   diffarm's cache root; the tokenizer lives in its {@code clip-vit-large-patch14/}
     * @param downloader     where missing files are fetched from
     */
    public TokenizerLocator(Path huggingFaceHub, Path diffarmCache, VocabularyDownloader downloader) {
        this.huggingFaceHub = huggingFaceHub;
        this.diffarmCache = diffarmCache;
        this.downloader = downloader;
    }

    /**
     * The locator for this machine: the hub cache is {@code $HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else
     * {@code $XDG_CACHE_HOME/huggingface/hub}, else {@code ~/.cache/huggingface/hub} (huggingface_hub's own
     * rules); diffarm's cache is {@code $DIFFARM_CACHE}, else {@code ~/.cache/diffarm}. Downloads come from
     * the HuggingFace hub unless {@code HF_HUB_OFFLINE} is set.
     */
    public static TokenizerLocator fromEnvironment() {
        return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    static TokenizerLocator fromEnvironment(Map<String, String> env, Path home) {
        Path hub;
        if (isSet(env, "HF_HUB_CACHE")) {
            hub = Path.of(env.get("HF_HUB_CACHE"));
        } else if (isSet(env, "HF_HOME")) {
            hub = Path.of(env.get("HF_HOME"), "hub");
        } else if (isSet(env, "XDG_CACHE_HOME")) {
            hub = Path.of(env.get("XDG_CACHE_HOME"), "huggingface", "hub");
        } else {
            hub = home.resolve(".cache/huggingface/hub");
        }
        Path cache = isSet(env, "DIFFARM_CACHE") ? Path.of(env.get("DIFFARM_CACHE")) : home.resolve(".cache/diffarm");
        String offline = env.getOrDefault("HF_HUB_OFFLINE", "");
        VocabularyDownloader downloader = offline.isEmpty() || offline.equals("0") || offline.equalsIgnoreCase("false")
                ? new HubDownloader(HubDownloader.HUGGING_FACE, HubDownloader.DEFAULT_TIMEOUT)
                : VocabularyDownloader.disabled("HF_HUB_OFFLINE is set");
        return new TokenizerLocator(hub, cache, downloader);
    }

    private static boolean isSet(Map<String, String> env, String name) {
        return env.get(name) != null && !env.get(name).isEmpty();
    }

    /** {@link ClipTokenizer#load Loads} the tokenizer {@link #locate} finds. */
    public ClipTokenizer load(Optional<Path> tokenizerOption, Path model) {
        return ClipTokenizer.load(locate(tokenizerOption, model));
    }

    /**
     * The folder holding the tokenizer files for {@code model}.
     *
     * @param tokenizerOption the {@code --tokenizer} folder, if one was given
     * @param model           the model: a diffusers folder or a single checkpoint file
     * @throws TokenizerException if the given folder lacks a file, or no step finds or fetches the files
     */
    public Path locate(Optional<Path> tokenizerOption, Path model) {
        if (tokenizerOption.isPresent()) {
            Path dir = tokenizerOption.get();
            for (String file : FILES) {
                if (!Files.isRegularFile(dir.resolve(file))) {
                    throw new TokenizerException("--tokenizer " + dir + ": " + file + " is missing (a CLIP tokenizer"
                            + " folder holds vocab.json and merges.txt)");
                }
            }
            return dir;
        }
        Path modelTokenizer = model.resolve("tokenizer");
        if (Files.isDirectory(model) && isComplete(modelTokenizer)) {
            return modelTokenizer;
        }
        Optional<Path> hubSnapshot = hubSnapshot();
        if (hubSnapshot.isPresent()) {
            return hubSnapshot.get();
        }
        Path cached = diffarmCache.resolve(CACHE_FOLDER);
        if (isComplete(cached)) {
            return cached;
        }
        try {
            download(cached);
            return cached;
        } catch (IOException | UncheckedIOException | TokenizerException e) {
            throw new TokenizerException("no CLIP tokenizer found for " + model + ": "
                    + (Files.isDirectory(model) ? "it has no " + modelTokenizer.getFileName() + "/ with vocab.json and"
                    + " merges.txt, " : "it is a single checkpoint file (which holds no tokenizer), ")
                    + "there is no copy of " + HUB_REPO + " under " + huggingFaceHub.resolve(HUB_FOLDER) + " or in "
                    + cached + ", and downloading one failed (" + e.getMessage() + "). Supply it with --tokenizer DIR,"
                    + " a folder holding CLIP's vocab.json and merges.txt (from https://huggingface.co/" + HUB_REPO
                    + ").", e);
        }
    }

    private static boolean isComplete(Path dir) {
        return FILES.stream().allMatch(file -> Files.isRegularFile(dir.resolve(file)));
    }

    /** The hub's snapshots of {@value #HUB_REPO} that hold both files, the one {@code refs/main} names first. */
    private Optional<Path> hubSnapshot() {
        Path repo = huggingFaceHub.resolve(HUB_FOLDER);
        Path snapshots = repo.resolve("snapshots");
        if (!Files.isDirectory(snapshots)) {
            return Optional.empty();
        }
        List<Path> candidates = new ArrayList<>();
        try {
            Path mainRef = repo.resolve("refs/main");
            if (Files.isRegularFile(mainRef)) {
                candidates.add(snapshots.resolve(Files.readString(mainRef).trim()));
            }
            try (DirectoryStream<Path> revisions = Files.newDirectoryStream(snapshots)) {
                List<Path> sorted = new ArrayList<>();
                revisions.forEach(sorted::add);
                sorted.sort(Comparator.naturalOrder());
                candidates.addAll(sorted);
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return candidates.stream().filter(TokenizerLocator::isComplete).findFirst();
    }

    private void download(Path target) throws IOException {
        Files.createDirectories(target.getParent());
        Path staging = Files.createTempDirectory(target.getParent(), CACHE_FOLDER + ".download-");
        try {
            for (String file : FILES) {
                downloader.fetch(file, staging.resolve(file));
            }
            ClipTokenizer.load(staging);
            Files.createDirectories(target);
            for (String file : FILES) {
                Files.move(staging.resolve(file), target.resolve(file), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            FileTrees.delete(staging);
        }
    }
}
