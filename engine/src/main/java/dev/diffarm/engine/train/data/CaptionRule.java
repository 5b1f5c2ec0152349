package dev.diffarm.engine.train.data;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The caption transforms applied at each use of an image, as kohya's {@code process_caption} applies them: first
 * caption dropout (with probability {@code dropoutRate} the caption becomes empty: one uniform draw, made only when
 * the rate is above 0); then, if {@code shuffle} or a tag dropout rate is set, the caption is split at
 * {@code separator} and each tag stripped; the first {@code keepTokens} tags stay in place, the others are permuted
 * if shuffling (one permutation draw) and then each is dropped with probability {@code tagDropoutRate} (one uniform
 * per tag, in order, when the rate is above 0); the tags are joined with ", " (whatever the separator, as kohya
 * joins them). Otherwise the caption is used as written.
 *
 * @param shuffle     kohya's {@code --shuffle_caption}
 * @param keepTokens  kohya's {@code --keep_tokens}: leading tags that never move
 * @param dropoutRate    kohya's {@code --caption_dropout_rate}, in [0, 1]
 * @param tagDropoutRate kohya's {@code --caption_tag_dropout_rate}, in [0, 1]: for tags after the kept ones
 * @param separator      kohya's {@code --caption_separator}, "," by default
 */
public record CaptionRule(boolean shuffle, int keepTokens, double dropoutRate, double tagDropoutRate,
                          String separator) {

    /** Captions used as written. */
    public static final CaptionRule AS_WRITTEN = new CaptionRule(false, 0, 0.0, 0.0, ",");

    public CaptionRule {
        if (keepTokens < 0) {
            throw new IllegalArgumentException("keepTokens must not be negative, got " + keepTokens);
        }
        if (!(dropoutRate >= 0.0 && dropoutRate <= 1.0)) {
            throw new IllegalArgumentException("captionDropoutRate must be in [0, 1], got " + dropoutRate);
        }
        if (!(tagDropoutRate >= 0.0 && tagDropoutRate <= 1.0)) {
            throw new IllegalArgumentException("captionTagDropoutRate must be in [0, 1], got " + tagDropoutRate);
        }
        if (separator.isEmpty()) {
            throw new IllegalArgumentException("captionSeparator must not be empty");
        }
    }

    /** {@code caption} after this rule, drawing from {@code random} in the order the class comment gives. */
    String apply(String caption, DataRandom random) {
        if (dropoutRate > 0 && random.uniform() < dropoutRate) {
            return "";
        }
        if (!shuffle && tagDropoutRate == 0) {
            return caption;
        }
        List<String> tags = new ArrayList<>();
        for (String tag : caption.strip().split(Pattern.quote(separator), -1)) {
            tags.add(tag.strip());
        }
        int kept = Math.min(keepTokens, tags.size());
        List<String> flexible = tags.subList(kept, tags.size());
        int[] order = shuffle ? random.permutation(flexible.size()) : DataRandom.identity(flexible.size());
        List<String> out = new ArrayList<>(tags.subList(0, kept));
        for (int i : order) {
            if (tagDropoutRate == 0 || random.uniform() >= tagDropoutRate) {
                out.add(flexible.get(i));
            }
        }
        return String.join(", ", out);
    }
}
