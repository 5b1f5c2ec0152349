package dev.diffarm.engine.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.Iterator;
import org.junit.jupiter.api.Test;

/**
 * Every bucket of {@code sd-tiny/train-buckets.json}, computed by kohya-ss/sd-scripts' own functions, must come out
 * exactly: the predefined bucket lists, and for each of the five set-ups and 24 image sizes the bucket, the resized
 * size, the trim offsets, the aspect error, {@code crop_ltrb} and the resize filter.
 */
class KohyaBucketParityTest {
    private static JsonNode fixture() throws IOException {
        return new ObjectMapper().readTree(SharedTrainFixtures.sdTiny("train-buckets.json").toFile());
    }

    @Test
    void makeBucketResolutionsMatchesKohya() throws IOException {
        JsonNode made = fixture().get("make_bucket_resolutions");
        for (String key : List.of("512x512", "768x768")) {
            int side = Integer.parseInt(key.substring(0, key.indexOf('x')));
            List<Size> expected = sizes(made.get(key).get("resos_wh"));
            assertEquals(expected, BucketResolutions.make(new Size(side, side), 256, 1024, 64), key);
        }
    }

    @Test
    void everyCaseOfEveryConfigMatchesKohya() throws IOException {
        JsonNode configs = fixture().get("configs");
        Map<String, Bucketing.Settings> settings = Map.of(
                "bucket_512", Bucketing.Settings.kohyaDefaults(new Size(512, 512)),
                "bucket_512_no_upscale", new Bucketing.Settings(new Size(512, 512), true, 256, 1024, 64, true),
                "bucket_768", Bucketing.Settings.kohyaDefaults(new Size(768, 768)),
                "bucket_768_no_upscale", new Bucketing.Settings(new Size(768, 768), true, 256, 1024, 64, true),
                "no_bucket_512", new Bucketing.Settings(new Size(512, 512), false, 256, 1024, 64, false));
        assertEquals(settings.keySet(), toSet(configs.fieldNames()));
        int checked = 0;
        int refused = 0;
        for (Map.Entry<String, Bucketing.Settings> entry : settings.entrySet()) {
            JsonNode config = configs.get(entry.getKey());
            Bucketing bucketing = entry.getValue().bucketing();
            JsonNode predefined = config.get("predefined_buckets_wh");
            if (!predefined.isNull()) {
                assertEquals(sizes(predefined), ((PredefinedBuckets) bucketing).buckets(), entry.getKey());
            }
            for (JsonNode c : config.get("cases")) {
                Size image = size(c.get("image_wh"));
                String where = entry.getKey() + " " + image;
                if (c.has("kohya_error")) {
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                            () -> bucketing.assign(image), where);
                    assertTrue(e.getMessage().contains(image.toString()), e.getMessage());
                    refused++;
                    continue;
                }
                BucketAssignment a = bucketing.assign(image);
                assertEquals(size(c.get("bucket_wh")), a.bucket(), where + " bucket");
                assertEquals(size(c.get("resized_wh")), a.resized(), where + " resized");
                assertEquals(c.get("trim_left_top").get(0).asInt(), a.trimLeft(), where + " trim left");
                assertEquals(c.get("trim_left_top").get(1).asInt(), a.trimTop(), where + " trim top");
                assertEquals(c.get("ar_error").asDouble(), a.arError(), 0.0, where + " ar_error");
                JsonNode crop = c.get("crop_ltrb");
                assertEquals(new CropBox(crop.get(0).asDouble(), crop.get(1).asDouble(), crop.get(2).asDouble(),
                        crop.get(3).asDouble()), a.crop(), where + " crop_ltrb");
                JsonNode filter = c.get("resize_interpolation");
                Resample expected = filter.isNull() ? Resample.NONE : Resample.valueOf(filter.asText().toUpperCase());
                assertEquals(expected, a.resample(), where + " interpolation");
                checked++;
            }
        }
        System.out.println("train-buckets.json: " + checked + " cases exact, " + refused
                + " refused as kohya fails on them");
        assertEquals(5 * 24, checked + refused);
    }

    @Test
    void settingsRefuseResolutionOutsideBucketLimits() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Bucketing.Settings(new Size(512, 512), true, 640, 1024, 64, false));
        assertTrue(e.getMessage().contains("minBucketReso 640"), e.getMessage());
    }

    private static Set<String> toSet(Iterator<String> names) {
        Set<String> set = new TreeSet<>();
        names.forEachRemaining(set::add);
        return set;
    }

    private static List<Size> sizes(JsonNode list) {
        List<Size> out = new ArrayList<>();
        list.forEach(n -> out.add(size(n)));
        return out;
    }

    private static Size size(JsonNode wh) {
        return new Size(wh.get(0).asInt(), wh.get(1).asInt());
    }
}
