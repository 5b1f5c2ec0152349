package dev.diffarm.farm.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * A picture given inline in the job, as {@code data:image/png;base64,...} or {@code data:image/jpeg;base64,...},
 * at most {@value Limits#MAX_INLINE_IMAGE_BYTES} bytes and {@value Limits#MAX_INPUT_PIXELS} pixels. Its size is
 * read from its header when the job is read (the pixels are decoded only by the task that uses it), so a mask that
 * does not fit its picture is refused with the submission.
 *
 * @param mediaType {@code image/png} or {@code image/jpeg}
 * @param bytes     the file's bytes
 * @param width     its width in pixels, from its header
 * @param height    its height in pixels, from its header
 */
public record InlineImage(String mediaType, byte[] bytes, int width, int height) implements ImageInput {
    /** How an inline picture starts. */
    public static final String SCHEME = "data:";
    /** What an inline picture looks like, completing "expected ...". */
    public static final String EXPECTED = "a key under " + ImageInput.INPUTS_PREFIX + " or a data:image/png;base64,... "
            + "or data:image/jpeg;base64,... URI of at most " + Limits.MAX_INLINE_IMAGE_BYTES + " bytes and "
            + Limits.MAX_INPUT_PIXELS + " pixels";

    public InlineImage {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(bytes, "bytes");
        bytes = bytes.clone();
        if ((long) width * height > Limits.MAX_INPUT_PIXELS || width <= 0 || height <= 0) {
            throw new IllegalArgumentException("a picture of " + width + "x" + height + " pixels: expected at most "
                    + Limits.MAX_INPUT_PIXELS + " pixels");
        }
    }

    /**
     * The picture of a {@code data:} URI.
     *
     * @throws IllegalArgumentException saying what is wrong: another media type, no base64, undecodable base64, too
     *                                  many bytes, a header no PNG or JPEG reader reads, too many pixels
     */
    public static InlineImage parse(String uri) {
        int comma = uri.indexOf(',');
        String header = comma < 0 ? uri : uri.substring(0, comma);
        String mediaType = switch (header) {
            case "data:image/png;base64" -> "image/png";
            case "data:image/jpeg;base64", "data:image/jpg;base64" -> "image/jpeg";
            default -> throw new IllegalArgumentException("a data URI starting " + Json.show(header)
                    + ": expected data:image/png;base64, or data:image/jpeg;base64,");
        };
        String base64 = uri.substring(comma + 1);
        if ((long) base64.length() * 3 / 4 > Limits.MAX_INLINE_IMAGE_BYTES + 2) {
            throw new IllegalArgumentException("an inline picture of about " + (long) base64.length() * 3 / 4
                    + " bytes: expected at most " + Limits.MAX_INLINE_IMAGE_BYTES + " bytes (put larger ones in the "
                    + "store under " + ImageInput.INPUTS_PREFIX + ")");
        }
        byte[] bytes;
        try {
            // line breaks are allowed (MIME writes them), any other character outside base64 is not
            bytes = Base64.getDecoder().decode(base64.replaceAll("[\\r\\n]", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("undecodable base64 (" + e.getMessage() + "): expected the picture's "
                    + "bytes in base64");
        }
        if (bytes.length > Limits.MAX_INLINE_IMAGE_BYTES) {
            throw new IllegalArgumentException("an inline picture of " + bytes.length + " bytes: expected at most "
                    + Limits.MAX_INLINE_IMAGE_BYTES + " bytes");
        }
        int[] size = headerSize(bytes, mediaType);
        return new InlineImage(mediaType, bytes, size[0], size[1]);
    }

    /** Width and height from the picture's header, without decoding its pixels. */
    private static int[] headerSize(byte[] bytes, String mediaType) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            while (readers.hasNext()) {
                ImageReader reader = readers.next();
                String format = reader.getFormatName().toLowerCase(java.util.Locale.ROOT);
                if (!mediaType.endsWith(format.equals("jpg") ? "jpeg" : format)) {
                    continue;
                }
                try {
                    reader.setInput(in, true, true);
                    return new int[] {reader.getWidth(0), reader.getHeight(0)};
                } finally {
                    reader.dispose();
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("a " + formatName(mediaType) + " picture whose header cannot be read ("
                    + e.getMessage() + "): expected a whole " + formatName(mediaType) + " file");
        }
        throw new IllegalArgumentException("bytes that are no " + formatName(mediaType) + " picture: expected a whole "
                + formatName(mediaType) + " file");
    }

    /** {@code PNG} or {@code JPEG}, for messages. */
    private static String formatName(String mediaType) {
        return mediaType.substring("image/".length()).toUpperCase(java.util.Locale.ROOT);
    }

    @Override
    public String json() {
        return "data:" + mediaType + ";base64," + Base64.getEncoder().encodeToString(bytes);
    }

    @Override
    public String identity() {
        return "sha256:" + Sha256.hex(bytes);
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof InlineImage that && mediaType.equals(that.mediaType) && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return 31 * mediaType.hashCode() + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "InlineImage[" + mediaType + ", " + width + "x" + height + ", " + identity() + "]";
    }
}
