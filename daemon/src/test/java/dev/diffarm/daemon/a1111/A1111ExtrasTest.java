package dev.diffarm.daemon.a1111;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diffarm.api.Progress;
import dev.diffarm.api.image.Picture;
import dev.diffarm.api.upscale.Tiling;
import dev.diffarm.daemon.TestPlugins;
import dev.diffarm.daemon.rest.LocalDaemonResource;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.train.data.Rgb8Image;
import dev.diffarm.engine.upscale.ExtrasUpscale;
import dev.diffarm.engine.upscale.ImageUpscaler;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A1111's {@code POST /sdapi/v1/extra-single-image} as a script posts it ({@code requests.post(url +
 * "/sdapi/v1/extra-single-image", json={"image": b64, "upscaler_1": "Lanczos", "upscaling_resize": 2})}): the answer's
 * {@code image} is the PNG the engine's Extras upscale makes of the picture (the CLI's {@code upscale}), byte for byte,
 * and {@code html_info} its parameters as A1111 shows them; what diffarm cannot do is refused naming the field. The
 * same for {@code POST /sdapi/v1/extra-batch-images}: each picture of {@code imageList} answered in order.
 */
@QuarkusTest
@QuarkusTestResource(LocalDaemonResource.class)
class A1111ExtrasTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SOURCE_PARAMETERS = "a red sneaker\nSteps: 4, Sampler: Euler a, Seed: 11";

    private static Response post(String payload) {
        return given().contentType("application/json").body(payload).post("/sdapi/v1/extra-single-image");
    }

    private static Rgb8Image picture() {
        byte[] rgb = new byte[16 * 12 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (i * 37 % 251);
        }
        return new Rgb8Image(16, 12, rgb);
    }

    private static String base64Png(Rgb8Image image) {
        Picture picture = Picture.fromRgb8(image.width(), image.height(), image.rgb());
        return Base64.getEncoder().encodeToString(PngWriter.encode(new RgbImage(picture.width(), picture.height(),
                picture.chw()), SOURCE_PARAMETERS));
    }

    @Test
    void theAnswerIsTheEnginesExtrasUpscaleByteForByte() throws Exception {
        Response response = post("{\"image\": \"" + base64Png(picture()) + "\", \"upscaler_1\": \"Lanczos\", "
                + "\"upscaling_resize\": 2, \"resize_mode\": 0, \"upscaler_2\": \"None\", "
                + "\"extras_upscaler_2_visibility\": 0, \"gfpgan_visibility\": 0, \"codeformer_visibility\": 0, "
                + "\"codeformer_weight\": 0, \"upscaling_resize_w\": 512, \"upscaling_resize_h\": 512, "
                + "\"upscaling_crop\": true, \"upscale_first\": false, \"show_extras_results\": true}");
        response.then().statusCode(200);
        JsonNode answer = JSON.readTree(response.asString());
        byte[] expected;
        try (ImageUpscaler lanczos = TestPlugins.plugins().upscalers().open("upscaler", "Lanczos", Tiling.NONE)) {
            expected = ExtrasUpscale.png(picture(), Optional.of(SOURCE_PARAMETERS), lanczos, 2, Progress.NONE);
        }
        assertArrayEquals(expected, Base64.getDecoder().decode(answer.get("image").asText()));
        assertEquals("<p>a red sneaker<br>\nSteps: 4, Sampler: Euler a, Seed: 11, Postprocess upscale by: 2, "
                + "Postprocess upscaler: Lanczos</p>", answer.get("html_info").asText());
    }

    @Test
    void whatWouldChangeThePictureIsRefusedNamingTheField() {
        String image = base64Png(picture());
        post("{\"image\": \"" + image + "\", \"upscaler_1\": \"Lanczos\", \"gfpgan_visibility\": 0.5}")
                .then().statusCode(422).body("errors[0].field", equalTo("gfpgan_visibility"))
                .body("errors[0].code", equalTo("unsupported-value"));
        post("{\"image\": \"" + image + "\", \"upscaler_1\": \"Lanczos\", \"resize_mode\": 1}")
                .then().statusCode(422).body("errors[0].field", equalTo("resize_mode"));
        post("{\"image\": \"" + image + "\", \"upscaler_1\": \"None\"}")
                .then().statusCode(422).body("errors[0].field", equalTo("upscaler_1"));
        post("{\"image\": \"" + image + "\", \"upscaler_1\": \"R-ESRGAN 4x+\"}")
                .then().statusCode(422).body("errors[0].field", equalTo("upscaler_1"))
                .body("errors[0].message", startsWith("upscaler_1"));
        post("{\"upscaler_1\": \"Lanczos\"}").then().statusCode(422).body("errors[0].field", equalTo("image"));
        post("{\"image\": \"" + image + "\", \"upscaler_1\": \"Lanczos\", \"upscaling_resize\": 9}")
                .then().statusCode(422).body("errors[0].field", equalTo("upscaling_resize"));
    }

    private static Response postBatch(String payload) {
        return given().contentType("application/json").body(payload).post("/sdapi/v1/extra-batch-images");
    }

    private static Rgb8Image otherPicture() {
        byte[] rgb = new byte[8 * 20 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (i * 11 % 241);
        }
        return new Rgb8Image(8, 20, rgb);
    }

    @Test
    void eachBatchAnswerIsTheEnginesExtrasUpscaleOfItsPictureByteForByte() throws Exception {
        String first = base64Png(picture());
        String second = "data:image/png;base64," + base64Png(otherPicture());
        Response response = postBatch("{\"imageList\": [{\"data\": \"" + first + "\", \"name\": \"a.png\"}, "
                + "{\"data\": \"" + second + "\", \"name\": \"b.png\"}, {\"data\": \"" + first + "\", \"name\": \"a2.png\"}], "
                + "\"upscaler_1\": \"Lanczos\", \"upscaling_resize\": 2.5, \"resize_mode\": 0, \"upscaler_2\": \"None\", "
                + "\"gfpgan_visibility\": 0, \"show_extras_results\": true}");
        response.then().statusCode(200);
        JsonNode answer = JSON.readTree(response.asString());
        byte[] firstPng;
        byte[] secondPng;
        try (ImageUpscaler lanczos = TestPlugins.plugins().upscalers().open("upscaler", "Lanczos", Tiling.NONE)) {
            firstPng = ExtrasUpscale.png(picture(), Optional.of(SOURCE_PARAMETERS), lanczos, 2.5, Progress.NONE);
            secondPng = ExtrasUpscale.png(otherPicture(), Optional.of(SOURCE_PARAMETERS), lanczos, 2.5, Progress.NONE);
        }
        assertEquals(3, answer.get("images").size(), answer.toString());
        assertArrayEquals(firstPng, Base64.getDecoder().decode(answer.get("images").get(0).asText()));
        assertArrayEquals(secondPng, Base64.getDecoder().decode(answer.get("images").get(1).asText()));
        assertArrayEquals(firstPng, Base64.getDecoder().decode(answer.get("images").get(2).asText()),
                "a picture sent twice is answered twice (upscaled once: the job's pictures are distinct)");
        assertEquals("<p>a red sneaker<br>\nSteps: 4, Sampler: Euler a, Seed: 11, Postprocess upscale by: 2.5, "
                + "Postprocess upscaler: Lanczos</p>", answer.get("html_info").asText());
    }

    @Test
    void aBatchRefusesWhatWouldChangeThePicturesNamingTheField() {
        String item = "{\"data\": \"" + base64Png(picture()) + "\", \"name\": \"a.png\"}";
        postBatch("{\"imageList\": [" + item + "], \"upscaler_1\": \"Lanczos\", \"codeformer_visibility\": 1}")
                .then().statusCode(422).body("errors[0].field", equalTo("codeformer_visibility"));
        postBatch("{\"upscaler_1\": \"Lanczos\"}").then().statusCode(422)
                .body("errors[0].field", equalTo("imageList"));
        postBatch("{\"imageList\": [], \"upscaler_1\": \"Lanczos\"}").then().statusCode(422)
                .body("errors[0].field", equalTo("imageList"));
        postBatch("{\"imageList\": [" + item + ", {\"name\": \"b.png\"}], \"upscaler_1\": \"Lanczos\"}")
                .then().statusCode(422).body("errors[0].field", equalTo("imageList[1].data"));
        postBatch("{\"imageList\": [" + item + "], \"image\": \"x\", \"upscaler_1\": \"Lanczos\"}")
                .then().statusCode(422).body("errors[0].field", equalTo("image"))
                .body("errors[0].message", startsWith("image = \"x\": not a field of A1111's extra-batch-images"));
    }
}
