package dev.diffarm.daemon.a1111;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A1111's {@code ExtrasBatchImagesResponse}.
 *
 * @param images   the upscaled pictures as base64 PNGs carrying their {@code parameters} text, in the request's order
 * @param htmlInfo the last picture's text as A1111's Extras tab shows it ({@link ExtrasResponse#htmlInfo})
 */
record ExtrasBatchResponse(List<String> images, @JsonProperty("html_info") String htmlInfo) {
}
