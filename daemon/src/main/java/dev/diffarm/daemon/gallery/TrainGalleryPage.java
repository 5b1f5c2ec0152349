package dev.diffarm.daemon.gallery;

import dev.diffarm.farm.config.Plan;
import dev.diffarm.farm.config.TrainJob;
import java.util.List;

/**
 * A train job's gallery page in HTML: per run its result, loss curve and samples (a row per sample step, a column per
 * prompt), then a sweep's grid. Links are relative to the job's folder, as in {@link GalleryPage}.
 */
final class TrainGalleryPage {
    private TrainGalleryPage() {
    }

    static String index(TrainJob job) {
        String prefix = Plan.prefix(job.id());
        StringBuilder html = new StringBuilder()
                .append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(GalleryPage.escape(job.id())).append(" - diffarm</title>\n<style>\n")
                .append("body{font-family:sans-serif;background:#202225;color:#e8e8e8;margin:2em}\n")
                .append("td,th{vertical-align:top;padding:4px;font-size:12px;color:#a0a4aa}\n")
                .append("td img{max-width:256px;max-height:256px;image-rendering:pixelated}\n")
                .append("a{color:#8ab4f8}\n</style>\n</head>\n<body>\n<h1>")
                .append(GalleryPage.escape(job.id())).append(": ").append(job.method()).append(" on ")
                .append(GalleryPage.escape(job.model())).append("</h1>\n");
        List<String> prompts = job.samples().samplePrompts();
        for (TrainJob.Run run : job.runs()) {
            html.append("<h2>").append(run.taskId()).append(": ").append(GalleryPage.escape(run.outputName()))
                    .append("</h2>\n<p>learning rate ").append(run.settings().learningRate());
            if (job.method().equals(TrainJob.LORA)) {
                html.append(", rank ").append(run.settings().networkDim()).append(", alpha ")
                        .append(run.settings().networkAlpha());
            }
            html.append(", ").append(run.settings().maxTrainSteps()).append(" steps. Result: <code>")
                    .append(run.outputKey()).append("</code></p>\n<p><img src=\"")
                    .append(job.lossPlotKey(run.taskId()).substring(prefix.length()))
                    .append("\" alt=\"loss curve of ").append(run.taskId()).append("\"></p>\n");
            if (prompts.isEmpty()) {
                continue;
            }
            html.append("<table>\n<tr><th>step</th>");
            prompts.forEach(prompt -> html.append("<th>").append(GalleryPage.escape(prompt)).append("</th>"));
            html.append("</tr>\n");
            for (long step : job.samples().steps(run.settings().maxTrainSteps())) {
                html.append("<tr><th>").append(step).append("</th>");
                for (int p = 0; p < prompts.size(); p++) {
                    String image = job.sampleKey(step, run.taskId(), p).substring(prefix.length());
                    html.append("<td><a href=\"").append(image).append("\"><img src=\"").append(image)
                            .append("\" alt=\"step ").append(step).append("\" loading=\"lazy\"></a></td>");
                }
                html.append("</tr>\n");
            }
            html.append("</table>\n");
        }
        if (job.sweep().isSweep() && !prompts.isEmpty()) {
            html.append("<h2>Sweep</h2>\n<p>A row per result, a column per prompt, seed ")
                    .append(job.samples().sampleSeed()).append(".</p>\n<p><img src=\"")
                    .append(job.sweepGridKey().substring(prefix.length())).append("\" alt=\"sweep grid\"></p>\n");
        }
        return html.append("</body>\n</html>\n").toString();
    }
}
