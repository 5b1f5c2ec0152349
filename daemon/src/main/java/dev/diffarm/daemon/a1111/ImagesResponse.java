package dev.diffarm.daemon.a1111;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A1111's {@code TextToImageResponse} (and {@code ImageToImageResponse}).
 *
 * @param images     every image as a base64 PNG carrying its {@code parameters} text, in A1111's order (seed by seed)
 * @param parameters the request as it was sent
 * @param info       a JSON string: see {@link A1111Info}
 */
record ImagesResponse(List<String> images, ObjectNode parameters, String info) {
}
