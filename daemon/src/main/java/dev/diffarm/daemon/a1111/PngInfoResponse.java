package dev.diffarm.daemon.a1111;

import java.util.Map;

/**
 * A1111's {@code PNGInfoResponse}.
 *
 * @param info       the {@code parameters} text; empty when the PNG has none
 * @param items      the PNG's other text chunks by keyword
 * @param parameters the {@code parameters} text read into its fields (see {@link Infotext})
 */
record PngInfoResponse(String info, Map<String, String> items, Map<String, String> parameters) {
}
