package dev.diffarm.daemon.a1111;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A1111's {@code ProgressResponse}.
 *
 * @param progress      0..1: images done plus the current one's share of steps, over the images
 * @param etaRelative   seconds left, from the time spent so far at this pace
 * @param state         A1111's state snapshot
 * @param currentImage  a preview of the image being rendered, base64 PNG; null when skipped or none yet
 * @param textinfo      a line for people
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
record ProgressResponse(double progress, @JsonProperty("eta_relative") double etaRelative, State state,
                        @JsonProperty("current_image") String currentImage, String textinfo) {
    /**
     * A1111's {@code state} fields.
     *
     * @param job            the diffarm job's id; empty when idle
     * @param jobCount       images the job makes
     * @param jobNo          images done
     * @param samplingStep   steps done of the current image
     * @param samplingSteps  its steps
     */
    record State(boolean skipped, boolean interrupted, @JsonProperty("stopping_generation") boolean stoppingGeneration,
                 String job, @JsonProperty("job_count") int jobCount,
                 @JsonProperty("job_timestamp") String jobTimestamp, @JsonProperty("job_no") int jobNo,
                 @JsonProperty("sampling_step") int samplingStep, @JsonProperty("sampling_steps") int samplingSteps) {
    }

    static final ProgressResponse IDLE = new ProgressResponse(0, 0,
            new State(false, false, false, "", 0, "0", 0, 0, 0), null, null);
}
