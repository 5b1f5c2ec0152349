package dev.diffarm.daemon.gallery;

import dev.diffarm.farm.config.Plan;
import dev.diffarm.farm.config.RenderSettings;
import dev.diffarm.farm.config.TaskParameters;
import dev.diffarm.farm.config.TaskSpec;
import java.util.List;

/**
 * A job's gallery in HTML: the index ({@code index.html}) shows each page's contact sheet and links the page; a page
 * ({@code page-0001.html}) shows its images' thumbnails, each linking the image, with the parameters that made it and
 * a link to its sidecar. Links are relative, so the gallery works wherever the job's folder is served from: the local
 * outputs folder opened in a browser, or the bucket.
 */
public final class GalleryPage {
    private GalleryPage() {
    }

    /** The index of {@code plan}'s gallery: a figure per page, its contact sheet linking the page. */
    public static String index(Plan plan) {
        int images = plan.tasks().size();
        int pages = JobGallery.pages(images);
        StringBuilder html = head(plan.jobId(), plan.jobId());
        html.append("<p>").append(images).append(" images on ").append(pages).append(pages == 1 ? " page" : " pages")
                .append(".</p>\n");
        for (int page = 1; page <= pages; page++) {
            int first = (page - 1) * JobGallery.PAGE_SIZE;
            int last = Math.min(images, page * JobGallery.PAGE_SIZE) - 1;
            String range = plan.tasks().get(first).id() + (last > first ? " to " + plan.tasks().get(last).id() : "");
            html.append("<figure class=\"sheet\">\n<a href=\"").append(JobGallery.page(page)).append("\"><img src=\"")
                    .append(JobGallery.contactSheet(page)).append("\" alt=\"page ").append(page).append("\" loading=\"lazy\"></a>\n")
                    .append("<figcaption><a href=\"").append(JobGallery.page(page)).append("\">Page ").append(page)
                    .append("</a>: ").append(range).append("</figcaption>\n</figure>\n");
        }
        return html.append("</body>\n</html>\n").toString();
    }

    /** Page {@code page} (from 1) of {@code plan}'s gallery, showing {@code tasks}. */
    public static String page(Plan plan, int page, List<TaskSpec> tasks) {
        int pages = JobGallery.pages(plan.tasks().size());
        StringBuilder html = head(plan.jobId() + " page " + page, plan.jobId() + ": page " + page + " of " + pages);
        html.append("<p><a href=\"").append(JobGallery.INDEX).append("\">All pages</a>");
        if (page > 1) {
            html.append(" | <a href=\"").append(JobGallery.page(page - 1)).append("\">Previous</a>");
        }
        if (page < pages) {
            html.append(" | <a href=\"").append(JobGallery.page(page + 1)).append("\">Next</a>");
        }
        html.append(" | <a href=\"").append(JobGallery.contactSheet(page)).append("\">Contact sheet</a></p>\n");
        for (TaskSpec task : tasks) {
            figure(html, task);
        }
        return html.append("</body>\n</html>\n").toString();
    }

    private static StringBuilder head(String title, String heading) {
        return new StringBuilder()
                .append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(escape(title)).append(" - diffarm</title>\n<style>\n")
                .append("body{font-family:sans-serif;background:#202225;color:#e8e8e8;margin:2em}\n")
                .append("figure{display:inline-block;vertical-align:top;width:272px;margin:0 12px 24px 0}\n")
                .append("figure img{max-width:256px;max-height:256px;image-rendering:pixelated}\n")
                .append("figure.sheet{width:auto}\nfigure.sheet img{max-width:540px;max-height:none}\n")
                .append("figcaption{font-size:12px;color:#a0a4aa;word-wrap:break-word}\n")
                .append("a{color:#8ab4f8}\n</style>\n</head>\n<body>\n<h1>")
                .append(escape(heading)).append("</h1>\n");
    }

    private static void figure(StringBuilder html, TaskSpec task) {
        TaskParameters p = task.parameters();
        RenderSettings s = p.settings();
        String image = task.id() + ".png";
        String thumbnail = task.thumbnailKey().substring(Plan.prefix(task.jobId()).length());
        html.append("<figure id=\"").append(task.id()).append("\">\n<a href=\"").append(image).append("\"><img src=\"")
                .append(thumbnail).append("\" alt=\"").append(escape(p.prompt())).append("\"></a>\n<figcaption><b>")
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
