package dev.diffarm.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diffarm.api.Progress;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.device.Placement;
import dev.diffarm.engine.device.Precision;
import dev.diffarm.engine.pipeline.Generation;
import dev.diffarm.engine.pipeline.GenerationRequest;
import dev.diffarm.engine.pipeline.Generator;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.plugins.SamplerPlugins;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "parity", mixinStandardHelpOptions = true,
        description = {"Renders diffusers' reference txt2img runs of a fixture set (the layout of "
                + "engine/src/test/resources/sd-tiny: manifest.json, model/, run-*.safetensors) on --device in "
                + "--precision, and prints each run's max abs and relative error (to the reference's max |value|) "
                + "of the final latents and the image, one key=value line per run.",
                "Exits 1 if an error exceeds the precision's tolerance: 1e-3 in fp32 (correct float32 re-runs stay "
                        + "within 6e-6), 5e-2 in fp16 (float16 rounding measured at about 1e-2 on the CPU). "
                        + "scripts/gpu-check runs it on a GPU."})
final class ParityCommand implements Callable<Integer> {
    private static final double FP32_TOLERANCE = 1e-3;
    private static final double FP16_TOLERANCE = 5e-2;

    @Option(names = "--fixtures", required = true, paramLabel = "DIR", description = "The fixture set's folder.")
    Path fixtures;

    @Option(names = "--runs", split = ",", paramLabel = "RUN",
            defaultValue = "run-Euler_a-7steps,run-DDIM-7steps,run-DPMpp_2M_Karras-20steps",
            description = "The runs, as their files are named without .safetensors. Default: ${DEFAULT-VALUE}.")
    List<String> runs;

    @Mixin
    DeviceOptions deviceOptions;

    @Mixin
    PluginOptions pluginOptions;

    /** The difference of one output from its reference. */
    private record Error(double maxAbs, double relative) {
        static Error of(float[] expected, float[] actual) {
            if (expected.length != actual.length) {
                throw new IllegalStateException(actual.length + " values, expected " + expected.length);
            }
            double maxAbs = 0;
            double maxRef = 0;
            for (int i = 0; i < expected.length; i++) {
                double err = Math.abs((double) expected[i] - actual[i]);
                maxAbs = Double.isNaN(err) ? Double.POSITIVE_INFINITY : Math.max(maxAbs, err);
                maxRef = Math.max(maxRef, Math.abs(expected[i]));
            }
            return new Error(maxAbs, maxRef == 0 ? maxAbs : maxAbs / maxRef);
        }
    }

    @Override
    public Integer call() throws IOException {
        Placement placement = deviceOptions.placement();
        double tolerance = placement.precision() == Precision.FP32 ? FP32_TOLERANCE : FP16_TOLERANCE;
        JsonNode manifest = new ObjectMapper().readTree(fixtures.resolve("manifest.json").toFile());
        boolean allWithin = true;
        try (SamplerPlugins plugins = pluginOptions.open();
             StableDiffusion model = StableDiffusion.load(fixtures.resolve("model"), Optional.empty(), Optional.empty(),
                     TokenizerLocator.fromEnvironment(), placement)) {
            Generator generator = new Generator(plugins);
            for (String name : runs) {
                JsonNode run = entry(manifest, name);
                GenerationRequest request = new GenerationRequest(run.get("prompt").asText(),
                        run.get("negative_prompt").asText(), run.get("sampler").asText(), run.get("steps").asInt(),
                        run.get("cfg").asDouble(), run.get("seed").asLong(), run.get("width").asInt(),
                        run.get("height").asInt(), 1, 1, Emphasis.ORIGINAL);
                long start = System.nanoTime();
                Generation rendering = generator.generate(model, "0000000000", request, Progress.NONE);
                double seconds = (System.nanoTime() - start) / 1e9;
                Error latents;
                Error image;
                try (SafetensorsFile reference = SafetensorsFile.open(fixtures.resolve(name + ".safetensors"))) {
                    latents = Error.of(reference.floats("final_latents"), rendering.latents());
                    image = Error.of(reference.floats("image"), rendering.images().get(0).pixels().chw());
                }
                boolean within = latents.relative() <= tolerance && image.relative() <= tolerance;
                allWithin &= within;
                System.out.printf("parity device=%s precision=%s run=%s latents_max_abs=%.3g latents_rel=%.3g "
                                + "image_max_abs=%.3g image_rel=%.3g tolerance=%.0e seconds=%.2f verdict=%s%n",
                        Placement.name(placement.device()), placement.precision(), name, latents.maxAbs(),
                        latents.relative(), image.maxAbs(), image.relative(), tolerance, seconds,
                        within ? "ok" : "FAIL");
            }
        }
        return allWithin ? 0 : 1;
    }

    /** The manifest's entry of the run stored as {@code name}.safetensors. */
    private JsonNode entry(JsonNode manifest, String name) {
        for (JsonNode run : manifest.get("runs")) {
            if (run.get("file").asText().equals(name + ".safetensors")) {
                if (!Files.isRegularFile(fixtures.resolve(name + ".safetensors"))) {
                    break;
                }
                return run;
            }
        }
        throw new IllegalArgumentException("--runs " + name + ": no such run in " + fixtures.resolve("manifest.json")
                + " with its file beside it; expected a txt2img run such as run-Euler_a-7steps");
    }
}
