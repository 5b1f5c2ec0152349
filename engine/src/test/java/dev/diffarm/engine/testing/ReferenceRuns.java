package dev.diffarm.engine.testing;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The txt2img runs of the sd-tiny references, as {@code manifest.json} lists them ({@code runs[]}). */
public final class ReferenceRuns {
    /** Reads the manifest's JSON, whose scheduler configs hold {@code -Infinity}. */
    public static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private ReferenceRuns() {
    }

    /**
     * One reference run.
     *
     * @param file             the fixture, {@code run-<sampler>-<N>steps[-WxH].safetensors}
     * @param sampler          the sampler as AUTOMATIC1111 names it ({@code DPM++ 2M Karras})
     * @param diffusersClass   the scheduler class
     * @param schedulerOptions the options given to {@code from_config} over the model's scheduler config
     * @param schedulerConfig  the scheduler's full config, relative to sd-tiny/
     * @param noiseDraws       the generator's draws, the initial latents included
     */
    public record Run(String file, String sampler, String diffusersClass, Map<String, Object> schedulerOptions,
                      String schedulerConfig, int steps, long seed, double cfg, int width, int height, String prompt,
                      String negativePrompt, int noiseDraws) {

        @Override
        public String toString() {
            return file.replace(".safetensors", "");
        }
    }

    /** Every run, in the manifest's order. */
    public static List<Run> all() {
        JsonNode manifest;
        try {
            manifest = JSON.readTree(Fixtures.sdTiny("manifest.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Run> runs = new ArrayList<>();
        for (JsonNode run : manifest.get("runs")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> options = JSON.convertValue(run.get("scheduler_options"), Map.class);
            runs.add(new Run(run.get("file").asText(), run.get("sampler").asText(), run.get("diffusers_class").asText(),
                    options, run.get("scheduler_config").asText(), run.get("steps").asInt(), run.get("seed").asLong(),
                    run.get("cfg").asDouble(), run.get("width").asInt(), run.get("height").asInt(),
                    run.get("prompt").asText(), run.get("negative_prompt").asText(), run.get("noise_draws").asInt()));
        }
        return runs;
    }
}
