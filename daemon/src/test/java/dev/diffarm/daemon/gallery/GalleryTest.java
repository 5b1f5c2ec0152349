package dev.diffarm.daemon.gallery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.farm.config.ImageJob;
import dev.diffarm.farm.config.JobParser;
import dev.diffarm.farm.config.Plan;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class GalleryTest {
    @Test
    void theContactSheetIsAsSquareAGridAsTheCountAllows() throws Exception {
        float[] white = new float[3 * 16 * 8];
        Arrays.fill(white, 1f);
        byte[] png = PngWriter.encode(new RgbImage(16, 8, white), "p");
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
    void thePageLinksEveryImageAndEscapesPrompts() {
        Plan plan = ((ImageJob) new JobParser().parse("""
                {"apiVersion": "diffarm/v1", "kind": "render", "id": "g", "model": "m",
                 "prompts": ["<b>bold</b> & \\"quoted\\""], "seeds": [1, 2]}
                """).orElseThrow()).plan();
        String html = GalleryPage.html(plan, "contact-sheet.png");

        assertTrue(html.contains("<img src=\"t0000.png\" alt=\"&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;\">"), html);
        assertTrue(html.contains("<img src=\"t0001.png\""), html);
        assertTrue(html.contains("<a href=\"t0001.json\">parameters</a>"), html);
        assertTrue(html.contains("<a href=\"contact-sheet.png\">Contact sheet</a>"), html);
        assertTrue(!html.contains("<b>bold"), "prompts are escaped");
    }
}
