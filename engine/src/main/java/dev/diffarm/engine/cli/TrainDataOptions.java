package dev.diffarm.engine.cli;

import dev.diffarm.engine.train.data.CaptionRule;
import dev.diffarm.engine.train.data.KohyaDataOptions;
import dev.diffarm.engine.train.data.Size;
import java.util.Optional;
import picocli.CommandLine.Option;

/** How {@code diffarm train} reads its data folder, with kohya's option names: training size, buckets, flip, captions. */
final class TrainDataOptions {
    @Option(names = "--resolution", paramLabel = "W[,H]",
            description = "Training size, e.g. 512 or 512,768: images are resized to cover it and centre-cropped, or "
                    + "with --enable-bucket it sizes the buckets. Default: every image at its own size (all the same).")
    String resolution;

    @Option(names = "--enable-bucket", description = "Aspect-ratio buckets as kohya makes them (needs --resolution).")
    boolean enableBucket;

    @Option(names = "--min-bucket-reso", defaultValue = "256", paramLabel = "PX",
            description = "Smallest bucket side (default ${DEFAULT-VALUE}).")
    int minBucketReso;

    @Option(names = "--max-bucket-reso", defaultValue = "1024", paramLabel = "PX",
            description = "Largest bucket side (default ${DEFAULT-VALUE}).")
    int maxBucketReso;

    @Option(names = "--bucket-reso-steps", defaultValue = "64", paramLabel = "PX",
            description = "Bucket sides are multiples of this (default ${DEFAULT-VALUE}).")
    int bucketResoSteps;

    @Option(names = "--bucket-no-upscale", description = "Buckets never larger than the image: small images are not upscaled.")
    boolean bucketNoUpscale;

    @Option(names = "--flip-aug", description = "Mirror each use of an image with probability 1/2.")
    boolean flipAug;

    @Option(names = "--shuffle-caption", description = "Shuffle each caption's comma-separated tags at every use.")
    boolean shuffleCaption;

    @Option(names = "--keep-tokens", defaultValue = "0", paramLabel = "N",
            description = "With --shuffle-caption, the first N tags stay in place (default ${DEFAULT-VALUE}).")
    int keepTokens;

    @Option(names = "--caption-dropout-rate", defaultValue = "0", paramLabel = "P",
            description = "Train on an empty caption with probability P (default ${DEFAULT-VALUE}).")
    double captionDropoutRate;

    @Option(names = "--caption-extension", defaultValue = ".txt", paramLabel = "EXT",
            description = "Extension of the caption files beside the images (default ${DEFAULT-VALUE}).")
    String captionExtension;

    /** The kohya data options given on the command line. */
    KohyaDataOptions toOptions() {
        return new KohyaDataOptions(Optional.ofNullable(resolution).map(TrainDataOptions::resolution), enableBucket,
                minBucketReso, maxBucketReso, bucketResoSteps, bucketNoUpscale, flipAug,
                new CaptionRule(shuffleCaption, keepTokens, captionDropoutRate, 0.0, ","), captionExtension);
    }

    /** kohya's {@code --resolution}: {@code 512} (square) or {@code 512,768} (width, height). */
    static Size resolution(String text) {
        String[] parts = text.split(",", -1);
        try {
            if (parts.length == 1) {
                int side = Integer.parseInt(parts[0].strip());
                return positive(new Size(side, side), text);
            }
            if (parts.length == 2) {
                return positive(new Size(Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip())), text);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--resolution: expected SIDE or WIDTH,HEIGHT in pixels, got '" + text + "'");
    }

    private static Size positive(Size size, String text) {
        if (size.width() <= 0 || size.height() <= 0) {
            throw new IllegalArgumentException("--resolution: sides must be positive, got '" + text + "'");
        }
        return size;
    }
}
