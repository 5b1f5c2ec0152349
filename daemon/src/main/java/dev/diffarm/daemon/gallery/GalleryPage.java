package dev.diffarm.daemon.gallery;

import dev.diffarm.farm.config.Plan;
import dev.diffarm.farm.config.RenderSettings;
import dev.diffarm.farm.config.TaskParameters;
import dev.diffarm.farm.config.TaskSpec;

/**
 * A job's {@code index.html}: the contact sheet, then every image with the parameters that made it and a
 * link to its sidecar. Links are relative, so the page works wherever the job's folder is served from: the
 * local outputs folder opened in a browser, or the bucket.
 */
public final class GalleryPage {
    private GalleryPage() {
    }

    /** The page of {@code plan}'s images, linking {@code contactSheet} (a name beside the page). */
    public static String html(Plan plan, String contactSheet) {
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(escape(plan.jobId())).append(" - diffarm</title>\n<style>\n")
                .append("body{font-family:sans-serif;background:#202225;color:#e8e8e8;margin:2em}\n")
                .append("figure{display:inline-block;vertical-align:top;width:272px;margin:0 12px 24px 0}\n")
                .append("figure img{max-width:256px;max-height:256px;image-rendering:pixelated}\n")
                .append("figcaption{font-size:12px;color:#a0a4aa;word-wrap:break-word}\n")
                .append("a{color:#8ab4f8}\n</style>\n</head>\n<body>\n<h1>")
                .append(escape(plan.jobId())).append("</h1>\n<p>").append(plan.tasks().size())
                .append(" images. <a href=\"").append(escape(contactSheet)).append("\">Contact sheet</a></p>\n");
        for (TaskSpec task : plan.tasks()) {
            figure(html, task);
        }
        return html.append("</body>\n</html>\n").toString();
    }

    private static void figure(StringBuilder html, TaskSpec task) {
        TaskParameters p = task.parameters();
        RenderSettings s = p.settings();
        String image = task.id() + ".png";
        html.append("<figure id=\"").append(task.id()).append("\">\n<a href=\"").append(image).append("\"><img src=\"")
                .append(image).append("\" alt=\"").append(escape(p.prompt())).append("\"></a>\n<figcaption><b>")
                .append(task.id()).append("</b> ").append(escape(p.prompt())).append("<br>\n");
        if (!s.negativePrompt().isEmpty()) {
            html.append("Negative prompt: ").append(escape(s.negativePrompt())).append("<br>\n");
        }
        task.style().ifPresent(style -> html.append("Style: ").append(escape(style)).append("<br>\n"));
        html.append("Seed ").append(p.seed()).append(", ").append(escape(s.sampler())).append(", ").append(s.steps())
                .append(" steps, CFG ").append(s.cfg()).append(", ").append(p.size()).append(", model ")
                .append(escape(s.model())).append(" <a href=\"").append(task.id()).append(".json\">parameters</a>\n")
                .append("</figcaption>\n</figure>\n");
    }

    /** {@code text} safe inside HTML text and double-quoted attributes. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
