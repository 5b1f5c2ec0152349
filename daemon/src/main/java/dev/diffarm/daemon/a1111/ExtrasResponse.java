package dev.diffarm.daemon.a1111;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A1111's {@code ExtrasSingleImageResponse}.
 *
 * @param image     the upscaled picture as a base64 PNG carrying its {@code parameters} text
 * @param htmlInfo  that text as A1111's Extras tab shows it: HTML-escaped lines in one paragraph
 */
record ExtrasResponse(String image, @com.fasterxml.jackson.annotation.JsonProperty("html_info") String htmlInfo) {
    /** A1111's {@code plaintext_to_html}: each line escaped, joined by {@code <br>}, in a {@code <p>}. */
    static String htmlInfo(String parameters) {
        return "<p>" + Arrays.stream(parameters.split("\n", -1)).map(ExtrasResponse::escape)
                .collect(Collectors.joining("<br>\n")) + "</p>";
    }

    private static String escape(String line) {
        return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#x27;");
    }
}
