package dev.diffarm.daemon.gallery;

import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.port.StoreException;
import dev.diffarm.farm.config.Plan;
import dev.diffarm.farm.config.TaskSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A job's overview outputs, made once its images are stored: the contact sheet
 * ({@code jobs/<id>/contact-sheet.png}) and the gallery page ({@code jobs/<id>/index.html}).
 */
public final class JobGallery {
    public static final String CONTACT_SHEET = "contact-sheet.png";
    public static final String INDEX = "index.html";

    private JobGallery() {
    }

    /**
     * Reads the plan's images back from {@code store}, stores the contact sheet and the page there, and
     * returns their keys.
     *
     * @throws StoreException if an image is missing or the store fails
     */
    public static List<String> store(Plan plan, OutputStore store) {
        List<ContactSheet.Tile> tiles = new ArrayList<>();
        for (TaskSpec task : plan.tasks()) {
            byte[] png = store.get(task.key()).orElseThrow(() -> new StoreException(
                    task.key() + " is missing from " + store.location() + " after it was stored", null));
            String heading = task.id() + "  seed " + task.parameters().seed() + task.style().map(style -> "  " + style).orElse("");
            tiles.add(new ContactSheet.Tile(heading, task.parameters().prompt(), png));
        }
        String sheetKey = plan.prefix() + CONTACT_SHEET;
        String indexKey = plan.prefix() + INDEX;
        store.put(sheetKey, ContactSheet.render(plan.jobId() + "  (" + plan.tasks().size() + " images)", tiles),
                "image/png");
        store.put(indexKey, GalleryPage.html(plan, CONTACT_SHEET).getBytes(StandardCharsets.UTF_8),
                "text/html; charset=utf-8");
        return List.of(sheetKey, indexKey);
    }
}
