package dev.diffarm.daemon.a1111;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diffarm.daemon.rest.LocalDaemonResource;
import dev.diffarm.engine.image.PngReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A client of A1111's HTTP API, written from its documentation (the wiki's "API" page and the request models of
 * {@code modules/api/models.py}), not from diffarm's classes: request bodies are the JSON a Python script posts with
 * {@code requests.post(url + "/sdapi/v1/txt2img", json=payload)}, answers are read as such a script reads them
 * ({@code r["images"]}, {@code json.loads(r["info"])}, PNG Info). The tiny test model's VAE halves, so 32x32 images.
 */
@QuarkusTest
@QuarkusTestResource(LocalDaemonResource.class)
class A1111ApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Response post(String path, String payload) {
        return given().contentType("application/json").body(payload).post("/sdapi/v1/" + path);
    }

    @Test
    void txt2imgAnswersPngsWhoseParametersMatchTheRequest() throws Exception {
        // The wiki's example payload, sized for the tiny model, with a batch and fields diffarm does not use.
        String payload = """
                {"prompt": "puppy dog", "negative_prompt": "blurry", "steps": 3, "width": 32, "height": 32,
                 "seed": 1234, "batch_size": 2, "n_iter": 1, "cfg_scale": 6.5, "sampler_name": "Euler a",
                 "restore_faces": false, "tiling": false, "save_images": false, "send_images": true,
                 "override_settings": {"sd_model_checkpoint": "tiny", "CLIP_stop_at_last_layers": 2,
                                       "eta_noise_seed_delta": 0}}""";
        Response response = post("txt2img", payload);
        response.then().statusCode(200);
        JsonNode answer = JSON.readTree(response.asString());
        assertEquals(JSON.readTree(payload), answer.get("parameters"), "parameters echo the request");
        JsonNode info = JSON.readTree(answer.get("info").asText());
        assertEquals("puppy dog", info.get("prompt").asText());
        assertEquals(List.of(1234L, 1235L), longs(info.get("all_seeds")));
        assertEquals(1234, info.get("seed").asLong());
        assertEquals("Euler a", info.get("sampler_name").asText());
        assertEquals(2, info.get("clip_skip").asInt());
        assertEquals(List.of("override_settings.eta_noise_seed_delta", "restore_faces", "save_images", "tiling"),
                strings(info.get("ignored")));

        JsonNode images = answer.get("images");
        assertEquals(2, images.size());
        for (int i = 0; i < 2; i++) {
            byte[] png = Base64.getDecoder().decode(images.get(i).asText());
            Path file = Files.createTempFile("a1111-", ".png");
            Files.write(file, png);
            String parameters = PngReader.readParameters(file).orElseThrow();
            Files.delete(file);
            assertEquals(info.get("infotexts").get(i).asText(), parameters);
            assertTrue(parameters.startsWith("puppy dog\nNegative prompt: blurry\nSteps: 3, Sampler: Euler a, "),
                    parameters);
            for (String expected : List.of("CFG scale: 6.5", "Seed: " + (1234 + i), "Size: 32x32", "Model: tiny",
                    "Clip skip: 2")) {
                assertTrue(parameters.contains(expected), expected + " in " + parameters);
            }
            assertEquals(32, java.nio.ByteBuffer.wrap(png, 16, 4).getInt(), "the width in the PNG's IHDR");

            // PNG Info, as the wiki's example reads it back: "data:image/png;base64," + the image.
            Response pngInfo = post("png-info", "{\"image\": \"data:image/png;base64," + images.get(i).asText() + "\"}");
            pngInfo.then().statusCode(200).body("info", equalTo(parameters))
                    .body("parameters.Prompt", equalTo("puppy dog"))
                    .body("parameters.'Negative prompt'", equalTo("blurry"))
                    .body("parameters.Seed", equalTo(String.valueOf(1234 + i)))
                    .body("parameters.Steps", equalTo("3"))
                    .body("parameters.Size-1", equalTo("32"));
        }

        // An ordinary job of the caller's tenant: its status, events and gallery are there.
        String job = info.get("job").asText();
        given().get("/jobs/" + job).then().statusCode(200).body("state", equalTo("completed"))
                .body("tasksCompleted", equalTo(2));
    }

    @Test
    void img2imgAndInpaintingAndTheHiresPassRenderWithTheirParameters() throws Exception {
        String init = JSON.readTree(post("txt2img", "{\"prompt\": \"a house\", \"steps\": 2, \"width\": 32, "
                + "\"height\": 32, \"seed\": 3}").then().statusCode(200).extract().asString()).get("images").get(0).asText();

        // The wiki's img2img payload: init_images of base64 PNGs, a denoising strength.
        String payload = "{\"init_images\": [\"" + init + "\"], \"prompt\": \"a house at night\", "
                + "\"denoising_strength\": 0.6, \"steps\": 4, \"width\": 32, \"height\": 32, \"seed\": 9}";
        JsonNode answer = JSON.readTree(post("img2img", payload).then().statusCode(200).extract().asString());
        String parameters = parameters(answer.get("images").get(0).asText());
        assertTrue(parameters.startsWith("a house at night\nSteps: 4, "), parameters);
        assertTrue(parameters.contains("Denoising strength: 0.6"), parameters);
        assertTrue(parameters.contains("Seed: 9,"), parameters);
        assertTrue(answer.get("parameters").get("init_images").isNull(), "pictures are not echoed by default");
        assertEquals(0.6, JSON.readTree(answer.get("info").asText()).get("denoising_strength").asDouble());

        // Inpainting: a white square in a black mask, A1111's defaults for the rest (fill, only masked, blur 4).
        String inpaint = "{\"init_images\": [\"data:image/png;base64," + init + "\"], \"mask\": \"" + squareMask()
                + "\", \"prompt\": \"a window\", \"steps\": 4, \"width\": 32, \"height\": 32, \"seed\": 2, "
                + "\"mask_blur\": 2, \"inpainting_fill\": 1, \"inpaint_full_res\": false}";
        String inpainted = parameters(JSON.readTree(post("img2img", inpaint).then().statusCode(200).extract().asString())
                .get("images").get(0).asText());
        assertTrue(inpainted.contains("Mask blur: 2"), inpainted);

        // txt2img's hires pass: a 16x16 first pass, upscaled by 2 in latent space.
        String hires = "{\"prompt\": \"a tower\", \"steps\": 2, \"width\": 16, \"height\": 16, \"seed\": 4, "
                + "\"enable_hr\": true, \"hr_scale\": 2, \"hr_upscaler\": \"Latent\", \"denoising_strength\": 0.5}";
        String upscaled = JSON.readTree(post("txt2img", hires).then().statusCode(200).extract().asString())
                .get("images").get(0).asText();
        assertEquals(32, java.nio.ByteBuffer.wrap(Base64.getDecoder().decode(upscaled), 16, 4).getInt());
        assertTrue(parameters(upscaled).contains("Hires upscale: 2"), parameters(upscaled));

        post("img2img", "{\"prompt\": \"x\", \"steps\": 2}").then().statusCode(422)
                .body("errors[0].field", equalTo("init_images"));
        post("img2img", "{\"init_images\": [\"" + init + "\"], \"prompt\": \"x\", \"steps\": 2, \"resize_mode\": 3}")
                .then().statusCode(422).body("errors[0].field", equalTo("resize_mode"));
    }

    @Test
    void controlNetUnitsRenderFromSdWebUiControlNetsArgs() throws Exception {
        String picture = JSON.readTree(post("txt2img", "{\"prompt\": \"a chair\", \"steps\": 2, \"width\": 32, "
                + "\"height\": 32, \"seed\": 5}").then().statusCode(200).extract().asString()).get("images").get(0).asText();
        // The extension's API payload: a disabled unit first, the model as its list shows it, its neutral fields sent.
        String unit = "{\"enabled\": true, \"module\": \"canny\", \"model\": \"" + LocalDaemonResource.CONTROLNET
                + " [e4c127ac]\", \"weight\": 0.7, \"image\": \"" + picture + "\", \"resize_mode\": \"Just Resize\", "
                + "\"low_vram\": false, \"processor_res\": 32, \"threshold_a\": 50, \"threshold_b\": 150, "
                + "\"guidance_start\": 0.0, \"guidance_end\": 1.0, \"control_mode\": \"Balanced\", "
                + "\"pixel_perfect\": false, \"save_detected_map\": true%s}";
        String request = "{\"prompt\": \"a chair\", \"steps\": 3, \"width\": 32, \"height\": 32, \"seed\": 8, "
                + "\"alwayson_scripts\": {\"controlnet\": {\"args\": [{\"enabled\": false, \"model\": \"None\"}, %s]}}}";

        JsonNode answer = JSON.readTree(post("txt2img", request.formatted(unit.formatted("")))
                .then().statusCode(200).extract().asString());
        String parameters = parameters(answer.get("images").get(0).asText());
        System.out.println(parameters);
        assertTrue(parameters.contains("ControlNet 0: \"Module: canny, Model: " + LocalDaemonResource.CONTROLNET + " [")
                && parameters.contains("Weight: 0.7, Resize Mode: Just Resize, Low Vram: False, Processor Res: 32, "
                + "Threshold A: 50, Threshold B: 150, Guidance Start: 0, Guidance End: 1"), parameters);

        String at64 = JSON.readTree(post("txt2img", request.formatted(unit.replace("\"processor_res\": 32",
                "\"processor_res\": 64").formatted(""))).then().statusCode(200).extract().asString())
                .get("images").get(0).asText();
        assertTrue(parameters(at64).contains("Processor Res: 64, "), parameters(at64));
        post("txt2img", request.formatted(unit.replace("\"processor_res\": 32", "\"processor_res\": 16").formatted("")))
                .then().statusCode(422).body("errors[0].field", equalTo("alwayson_scripts.controlnet.args[1].processor_res"))
                .body("errors[0].message", equalTo("alwayson_scripts.controlnet.args[1].processor_res = 16: expected -1, "
                        + "32 (the picture's shorter side) or an integer in 64..2048"));
        post("txt2img", request.formatted(unit.formatted(", \"weight\": 3").replace("\"weight\": 0.7, ", "")))
                .then().statusCode(422).body("errors[0].field", equalTo("alwayson_scripts.controlnet.args[1].weight"))
                .body("errors[0].message", equalTo("alwayson_scripts.controlnet.args[1].weight = 3: expected a number "
                        + "in 0..2"));
        post("txt2img", request.formatted(unit.formatted(", \"pixel_perfect\": true").replace("\"pixel_perfect\": false, ",
                ""))).then().statusCode(422).body("errors[0].field", equalTo("alwayson_scripts.controlnet.args[1].pixel_perfect"))
                .body("errors[0].code", equalTo("unsupported-value"));
        post("txt2img", request.formatted(unit.formatted("").replace(LocalDaemonResource.CONTROLNET, "control_pose")))
                .then().statusCode(422).body("errors[0].field", equalTo("alwayson_scripts.controlnet.args[1].model"))
                .body("errors[0].code", equalTo("unknown-name"));
        post("txt2img", "{\"prompt\": \"a cat\", \"steps\": 2, \"alwayson_scripts\": {\"ADetailer\": {\"args\": [true]}}}")
                .then().statusCode(422).body("errors[0].field", equalTo("alwayson_scripts.ADetailer"));
    }

    /** The {@code parameters} text of a base64 PNG, read by the engine's PNG reader. */
    private static String parameters(String base64) throws java.io.IOException {
        Path file = Files.createTempFile("a1111-", ".png");
        try {
            Files.write(file, Base64.getDecoder().decode(base64));
            return PngReader.readParameters(file).orElseThrow();
        } finally {
            Files.delete(file);
        }
    }

    /** A 32x32 black PNG with a white 16x16 square in its middle, base64. */
    private static String squareMask() throws java.io.IOException {
        java.awt.image.BufferedImage mask = new java.awt.image.BufferedImage(32, 32,
                java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 8; y < 24; y++) {
            for (int x = 8; x < 24; x++) {
                mask.getRaster().setSample(x, y, 0, 255);
            }
        }
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(mask, "png", png);
        return Base64.getEncoder().encodeToString(png.toByteArray());
    }

    @Test
    void aRandomSeedIsRecordedAndOptionsApplyToLaterRequests() throws Exception {
        post("options", "{\"sd_model_checkpoint\": \"tiny [0123abcd]\", \"CLIP_stop_at_last_layers\": 3, "
                + "\"samples_format\": \"png\"}").then().statusCode(200).body("ignored", equalTo(List.of("samples_format")));
        given().get("/sdapi/v1/options").then().statusCode(200)
                .body("sd_model_checkpoint", equalTo("tiny")).body("CLIP_stop_at_last_layers", equalTo(3));

        Response response = post("txt2img", "{\"prompt\": \"a red barn\", \"steps\": 2, \"width\": 32, \"height\": 32, "
                + "\"seed\": -1}");
        response.then().statusCode(200);
        JsonNode answer = JSON.readTree(response.asString());
        JsonNode info = JSON.readTree(answer.get("info").asText());
        long seed = info.get("seed").asLong();
        assertTrue(seed >= 0, "a random seed, recorded: " + seed);
        assertTrue(info.get("infotexts").get(0).asText().contains("Seed: " + seed + ","));
        assertEquals(3, info.get("clip_skip").asInt());
        post("options", "{\"CLIP_stop_at_last_layers\": 1}").then().statusCode(200);
    }

    @Test
    void refusesWhatWouldChangeTheImageNamingTheField() {
        post("txt2img", "{\"prompt\": \"a cat\", \"steps\": 2, \"width\": 32, \"height\": 32, \"restore_faces\": true}")
                .then().statusCode(422).body("errors[0].field", equalTo("restore_faces"))
                .body("errors[0].code", equalTo("unsupported-value"))
                .body("detail[0].loc", equalTo(List.of("body", "restore_faces")));
        post("txt2img", "{\"prompt\": \"a cat\", \"steps\": 2, \"width\": 32, \"height\": 32, \"cfg_scale\": \"high\"}")
                .then().statusCode(422).body("errors[0].field", equalTo("cfg_scale"))
                .body("errors[0].code", equalTo("wrong-type"));
        post("txt2img", "{\"prompt\": \"a cat\", \"steps\": 2, \"width\": 32, \"height\": 32, \"sampler_name\": \"Nope\"}")
                .then().statusCode(422).body("errors[0].field", equalTo("sampler_name"))
                .body("errors[0].code", equalTo("unknown-name"));
        post("txt2img", "{\"prompt\": \"a cat\", \"steps\": 2, \"width\": 32, \"height\": 32, "
                + "\"override_settings\": {\"sd_model_checkpoint\": \"sd15.safetensors [abc]\"}}")
                .then().statusCode(422).body("errors[0].field", equalTo("override_settings.sd_model_checkpoint"));
        post("txt2img", "{\"steps\": 2, \"width\": 32, \"height\": 32}")
                .then().statusCode(422).body("errors[0].field", equalTo("prompt"));
        post("options", "{\"sd_model_checkpoint\": \"nope\"}").then().statusCode(422)
                .body("errors[0].field", equalTo("sd_model_checkpoint"));
        post("png-info", "{\"image\": \"aGVsbG8=\"}").then().statusCode(422).body("errors[0].field", equalTo("image"));
    }

    @Test
    void listsTheFarmAsA1111Does() {
        given().get("/sdapi/v1/sd-models").then().statusCode(200).body("model_name", hasItem("tiny"))
                .body("title", hasItem("tiny"));
        given().get("/sdapi/v1/samplers").then().statusCode(200).body("name", hasItem("Euler a"))
                .body("name", hasItem("DPM++ 2M"));
        given().get("/sdapi/v1/schedulers").then().statusCode(200).body("name", hasItem("automatic"))
                .body("name", hasItem("karras")).body("label", hasItem("Karras"));
        given().get("/sdapi/v1/upscalers").then().statusCode(200)
                .body("name", equalTo(List.of("None", "Lanczos", "Nearest", "esrgan-x4")))
                .body("model_name", equalTo(java.util.Arrays.asList(null, null, null, "ESRGAN")))
                .body("model_path[3]", org.hamcrest.Matchers.endsWith("esrgan-x4.pth"))
                .body("model_url", equalTo(java.util.Arrays.asList(null, null, null, null)))
                .body("scale", equalTo(List.of(4.0f, 4.0f, 4.0f, 4.0f)));
        given().get("/sdapi/v1/latent-upscale-modes").then().statusCode(200)
                .body("name", equalTo(dev.diffarm.farm.config.Limits.HIRES_UPSCALERS));
        given().get("/controlnet/model_list").then().statusCode(200)
                .body("model_list", equalTo(List.of(LocalDaemonResource.CONTROLNET)));
        given().get("/controlnet/module_list").then().statusCode(200)
                .body("module_list", equalTo(List.of("canny", "none")));
        given().get("/sdapi/v1/loras").then().statusCode(200);
        given().get("/sdapi/v1/embeddings").then().statusCode(200).body("loaded", equalTo(Map.of()));
        given().get("/sdapi/v1/progress").then().statusCode(200).body("progress", equalTo(0.0f))
                .body("state.job", equalTo(""));
    }

    private static List<Long> longs(JsonNode array) {
        List<Long> values = new ArrayList<>();
        array.forEach(node -> values.add(node.asLong()));
        return values;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(node -> values.add(node.asText()));
        return values;
    }
}
