package dev.diffarm.farm.config;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How a train job's images and captions are turned into examples, by kohya's names and with kohya's defaults.
 *
 * @param enableBucket       aspect-ratio buckets (kohya's {@code --enable_bucket}); false: every image is trained at
 *                           {@code resolution} x {@code resolution}
 * @param flipAug            also train each image mirrored left to right
 * @param shuffleCaption     shuffle the comma-separated tags of each caption every time it is used
 * @param keepTokens         the first this many tags stay in front when captions are shuffled
 * @param captionDropoutRate the share of examples trained with an empty caption, 0 to 1
 */
public record TrainDataOptions(boolean enableBucket, boolean flipAug, boolean shuffleCaption, int keepTokens,
                               double captionDropoutRate) {
    /** kohya's defaults: no buckets, no flipping, captions as written. */
    public static final TrainDataOptions DEFAULTS = new TrainDataOptions(false, false, false, 0, 0);

    public TrainDataOptions {
        Rules.KEEP_TOKENS.require("keepTokens", (long) keepTokens);
        Rules.CAPTION_DROPOUT_RATE.require("captionDropoutRate", captionDropoutRate);
    }

    void write(ObjectNode node) {
        node.put("enableBucket", enableBucket);
        node.put("flipAug", flipAug);
        node.put("shuffleCaption", shuffleCaption);
        node.put("keepTokens", keepTokens);
        node.put("captionDropoutRate", captionDropoutRate);
    }
}
