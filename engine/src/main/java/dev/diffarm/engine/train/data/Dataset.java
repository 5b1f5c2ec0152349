package dev.diffarm.engine.train.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A scanned dataset: its images in kohya's registration order (instance sets in order, each in file-name order,
 * then the class images that kohya's balancing keeps).
 *
 * @param images the images; an image's position here is its index in {@link PlannedExample#imageIndex()}
 */
public record Dataset(List<TrainingImage> images) {

    public Dataset {
        images = List.copyOf(images);
    }

    /** Instance images times their repeats: kohya's {@code num_train_images}. */
    public int instanceCount() {
        return images.stream().filter(i -> !i.classImage()).mapToInt(TrainingImage::repeats).sum();
    }

    /** Class images times their (balanced) repeats. */
    public int classCount() {
        return images.stream().filter(TrainingImage::classImage).mapToInt(TrainingImage::repeats).sum();
    }

    /**
     * kohya's {@code ss_tag_frequency}: per folder name, how many of its images' captions hold each tag (captions
     * split at ",", tags stripped and lower-cased, empty ones skipped; an image counts once, whatever its repeats).
     * Folders and tags keep their first-seen order.
     */
    public Map<String, Map<String, Integer>> tagFrequency() {
        Map<String, Map<String, Integer>> frequency = new LinkedHashMap<>();
        for (TrainingImage image : images) {
            Map<String, Integer> tags = frequency.computeIfAbsent(image.folder(), k -> new LinkedHashMap<>());
            for (String tag : image.caption().split(",", -1)) {
                String stripped = tag.strip();
                if (!stripped.isEmpty()) {
                    tags.merge(stripped.toLowerCase(Locale.ROOT), 1, Integer::sum);
                }
            }
        }
        return frequency;
    }
}
