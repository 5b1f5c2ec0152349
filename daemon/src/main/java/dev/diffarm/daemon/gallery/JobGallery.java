package dev.diffarm.daemon.gallery;

import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.port.StoreException;
import dev.diffarm.farm.config.Plan;
import dev.diffarm.farm.config.TaskSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A job's overview of its images, in pages of at most {@value #PAGE_SIZE}: each image's thumbnail, stored with it
 * ({@link #storeThumbnail}); once every image is stored, for each page a contact sheet drawn from its thumbnails
 * ({@code jobs/<id>/contact-sheet-0001.png}) and a gallery page ({@code jobs/<id>/page-0001.html}), and the index
 * linking the pages ({@code jobs/<id>/index.html}). Only one page's thumbnails are in memory at a time, so the
 * overview of 10,000 images needs no more memory than that of 64.
 */
public final class JobGallery {
    /** The most images on one contact sheet and one gallery page: 8 x 8. */
    public static final int PAGE_SIZE = 64;
    public static final String INDEX = "index.html";

    private JobGallery() {
    }

    /** The file name of contact sheet {@code page} (from 1) beside the images: {@code contact-sheet-0001.png}. */
    public static String contactSheet(int page) {
        return String.format(Locale.ROOT, "contact-sheet-%04d.png", page);
    }

    /** The file name of gallery page {@code page} (from 1) beside the images: {@code page-0001.html}. */
    public static String page(int page) {
        return String.format(Locale.ROOT, "page-%04d.html", page);
    }

    /** How many pages the overview of {@code images} images has. */
    public static int pages(int images) {
        return Math.max(1, (images + PAGE_SIZE - 1) / PAGE_SIZE);
    }

    /**
     * Stores the thumbnail of {@code task}'s image {@code png} and returns it; stores nothing and returns empty when
     * {@code png} is not a readable image.
     */
    public static Optional<byte[]> storeThumbnail(TaskSpec task, byte[] png, OutputStore store) {
        Optional<byte[]> thumbnail = Thumbnail.of(png);
        thumbnail.ifPresent(bytes -> store.put(task.thumbnailKey(), bytes, "image/png"));
        return thumbnail;
    }

    /**
     * Stores the contact sheets, the gallery pages and the index of {@code plan}'s images, which are stored, and
     * returns their keys: each page's sheet and page in page order, then the index.
     *
     * @throws StoreException if an image without a thumbnail is missing, or the store fails
     */
    public static List<String> store(Plan plan, OutputStore store) {
        List<TaskSpec> tasks = plan.tasks();
        int pages = pages(tasks.size());
        List<String> keys = new ArrayList<>(2 * pages + 1);
        for (int page = 1; page <= pages; page++) {
            List<TaskSpec> onPage = tasks.subList((page - 1) * PAGE_SIZE, Math.min(tasks.size(), page * PAGE_SIZE));
            List<ContactSheet.Tile> tiles = new ArrayList<>(onPage.size());
            for (TaskSpec task : onPage) {
                String heading = task.id() + "  seed " + task.parameters().seed() + task.style().map(style -> "  " + style).orElse("");
                tiles.add(new ContactSheet.Tile(heading, task.parameters().prompt(), thumbnail(task, store).orElse(new byte[0])));
            }
            String title = plan.jobId() + "  (" + tasks.size() + " images" + (pages > 1 ? ", page " + page + " of " + pages : "") + ")";
            keys.add(put(store, plan.prefix() + contactSheet(page), ContactSheet.render(title, tiles), "image/png"));
            keys.add(put(store, plan.prefix() + page(page), html(GalleryPage.page(plan, page, onPage))));
        }
        keys.add(put(store, plan.prefix() + INDEX, html(GalleryPage.index(plan))));
        return keys;
    }

    /**
     * The stored thumbnail of {@code task}; made from the image (and stored) when there is none, as for images stored
     * before thumbnails were made with them. Empty when the image is not a readable image.
     */
    private static Optional<byte[]> thumbnail(TaskSpec task, OutputStore store) {
        Optional<byte[]> stored = store.get(task.thumbnailKey());
        if (stored.isPresent()) {
            return stored;
        }
        byte[] png = store.get(task.key()).orElseThrow(() -> new StoreException(
                task.key() + " is missing from " + store.location() + " after it was stored", null));
        return storeThumbnail(task, png, store);
    }

    private static byte[] html(String page) {
        return page.getBytes(StandardCharsets.UTF_8);
    }

    private static String put(OutputStore store, String key, byte[] content, String contentType) {
        store.put(key, content, contentType);
        return key;
    }

    private static String put(OutputStore store, String key, byte[] html) {
        return put(store, key, html, "text/html; charset=utf-8");
    }
}
