package dev.diffarm.daemon.gallery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.local.LocalOutputStore;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.farm.config.ImageJob;
import dev.diffarm.farm.config.JobParser;
import dev.diffarm.farm.config.Plan;
import dev.diffarm.farm.config.TaskSpec;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GalleryTest {
    @TempDir
    Path dir;

    private static byte[] white(int width, int height) {
        float[] white = new float[3 * width * height];
        Arrays.fill(white, 1f);
        return PngWriter.encode(new RgbImage(width, height, white), "p");
    }

    private static Plan plan(String id, String prompts, String seeds) {
        return ((ImageJob) new JobParser().parse("{\"apiVersion\": \"diffarm/v1\", \"kind\": \"render\", \"id\": \"" + id
                + "\", \"model\": \"m\", \"prompts\": " + prompts + ", \"seeds\": " + seeds + "}").orElseThrow()).plan();
    }

    @Test
    void theContactSheetIsAsSquareAGridAsTheCountAllows() throws Exception {
        byte[] png = white(16, 8);
        List<ContactSheet.Tile> tiles = List.of(new ContactSheet.Tile("t0000  seed 1", "a cat", png),
                new ContactSheet.Tile("t0001  seed 2", "a very long prompt ".repeat(40), png),
                new ContactSheet.Tile("t0002  seed 3", "broken", new byte[] {1, 2, 3}));
        BufferedImage sheet = ImageIO.read(new ByteArrayInputStream(ContactSheet.render("job", tiles)));

        // 3 tiles: 2 columns, 2 rows of 256-pixel cells, each with two caption lines
        assertEquals(12 + 2 * (256 + 12), sheet.getWidth());
        assertEquals(28 + 12 + 2 * (256 + 2 * 16 + 12), sheet.getHeight());
        // The 16x8 image is enlarged to 256x128, centred in its cell: its middle is white.
        assertEquals(0xFFFFFF, sheet.getRGB(12 + 128, 28 + 12 + 128) & 0xFFFFFF);
    }

    @Test
    void aThumbnailFitsTheCellAndASmallImageIsItsOwn() throws Exception {
        BufferedImage thumbnail = ImageIO.read(new ByteArrayInputStream(Thumbnail.of(white(640, 320)).orElseThrow()));
        assertEquals(256, thumbnail.getWidth());
        assertEquals(128, thumbnail.getHeight());
        assertEquals(0xFFFFFF, thumbnail.getRGB(100, 60) & 0xFFFFFF);

        byte[] small = white(32, 16);
        assertArrayEquals(small, Thumbnail.of(small).orElseThrow());
        assertTrue(Thumbnail.of(new byte[] {1, 2, 3}).isEmpty(), "not an image: no thumbnail");
    }

    @Test
    void aPageLinksEveryImageThroughItsThumbnailAndEscapesPrompts() {
        Plan plan = plan("g", "[\"<b>bold</b> & \\\"quoted\\\"\"]", "[1, 2]");
        String html = GalleryPage.page(plan, 1, plan.tasks());

        assertTrue(html.contains("<a href=\"t0000.png\"><img src=\"thumbs/t0000.png\" "
                + "alt=\"&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;\">"), html);
        assertTrue(html.contains("<a href=\"t0001.png\"><img src=\"thumbs/t0001.png\""), html);
        assertTrue(html.contains("<a href=\"t0001.json\">parameters</a>"), html);
        assertTrue(html.contains("<a href=\"contact-sheet-0001.png\">Contact sheet</a>"), html);
        assertFalse(html.contains("<b>bold"), "prompts are escaped");
        assertFalse(html.contains("Next"), "one page: no next one");
    }

    @Test
    void aJobOfManyImagesHasPagesOfAtMostSixtyFourEachWithItsSheet() throws Exception {
        // 13 prompts x 10 seeds = 130 images: pages of 64, 64 and 2.
        String prompts = IntStream.range(0, 13).mapToObj(i -> "\"p" + i + "\"").collect(Collectors.joining(", ", "[", "]"));
        Plan plan = plan("many", prompts, "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]");
        LocalOutputStore store = new LocalOutputStore(dir);
        List<TaskSpec> tasks = plan.tasks();
        for (TaskSpec task : tasks) {
            byte[] png = white(8 + task.index() % 3, 8);
            store.put(task.key(), png, "image/png");
            // The first page's thumbnails were stored with their images; the others' are made from the images.
            if (task.index() < JobGallery.PAGE_SIZE) {
                JobGallery.storeThumbnail(task, png, store);
            }
        }

        List<String> keys = JobGallery.store(plan, store);

        assertEquals(List.of("jobs/many/contact-sheet-0001.png", "jobs/many/page-0001.html",
                "jobs/many/contact-sheet-0002.png", "jobs/many/page-0002.html",
                "jobs/many/contact-sheet-0003.png", "jobs/many/page-0003.html", "jobs/many/index.html"), keys);
        BufferedImage full = ImageIO.read(new ByteArrayInputStream(store.get(keys.get(0)).orElseThrow()));
        assertEquals(12 + 8 * (256 + 12), full.getWidth(), "8 columns of 64 images");
        assertEquals(28 + 12 + 8 * (256 + 2 * 16 + 12), full.getHeight(), "8 rows");
        BufferedImage last = ImageIO.read(new ByteArrayInputStream(store.get(keys.get(4)).orElseThrow()));
        assertEquals(12 + 2 * (256 + 12), last.getWidth(), "the last page's 2 images");
        for (TaskSpec task : tasks) {
            assertArrayEquals(store.get(task.key()).orElseThrow(), store.get(task.thumbnailKey()).orElseThrow(), task.id());
        }

        String second = new String(store.get("jobs/many/page-0002.html").orElseThrow(), StandardCharsets.UTF_8);
        List<String> shown = new ArrayList<>();
        for (TaskSpec task : tasks) {
            if (second.contains("id=\"" + task.id() + "\"")) {
                shown.add(task.id());
            }
        }
        assertEquals(tasks.subList(64, 128).stream().map(TaskSpec::id).toList(), shown);
        assertTrue(second.contains("<a href=\"page-0001.html\">Previous</a>"), second);
        assertTrue(second.contains("<a href=\"page-0003.html\">Next</a>"), second);
        String index = new String(store.get("jobs/many/index.html").orElseThrow(), StandardCharsets.UTF_8);
        assertTrue(index.contains("130 images on 3 pages"), index);
        assertTrue(index.contains("<a href=\"page-0003.html\">Page 3</a>: t0128 to t0129"), index);
    }
}
