package dev.diffarm.engine.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The resizes against the libraries kohya calls: {@code train-data-formats/area-WxH.png} are OpenCV 4.6's
 * {@code INTER_AREA} and {@code lanczos-WxH.png} Pillow 9.4's {@code LANCZOS} of {@code source.png} (made by
 * {@code make_resize_reference.py} beside them, with Debian's python3-opencv and python3-pil).
 */
class ResizeReferenceTest {
    private static final ImageDecoder DECODER = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS);

    @ParameterizedTest
    @ValueSource(strings = {"30x20", "20x10", "15x10", "23x17", "60x25", "7x5"})
    void areaMatchesOpenCv(String size) throws IOException {
        compare("area-" + size, AreaResize.resize(source(), parse(size)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"97x61", "45x70", "120x80", "61x40", "300x13"})
    void lanczosMatchesPillow(String size) throws IOException {
        compare("lanczos-" + size, LanczosResize.resize(source(), parse(size)));
    }

    private static void compare(String name, Rgb8Image mine) throws IOException {
        SampleDifference d = SampleDifference.between(mine, DECODER.decode(ImageDecoderTest.resource(name + ".png")));
        System.out.println(name + ": " + d);
        assertEquals(0, d.max(), name + " differs from the reference: " + d);
    }

    private static Rgb8Image source() throws IOException {
        return DECODER.decode(ImageDecoderTest.resource("source.png"));
    }

    private static Size parse(String size) {
        int x = size.indexOf('x');
        return new Size(Integer.parseInt(size.substring(0, x)), Integer.parseInt(size.substring(x + 1)));
    }
}
