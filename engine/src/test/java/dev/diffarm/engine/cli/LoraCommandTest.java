package dev.diffarm.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.diffarm.engine.image.PngReader;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.safetensors.SafetensorsWriter;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * LoRAs through the command line: diffusers' {@code set_adapters} runs reproduced from the seed with {@code --lora},
 * A1111's {@code Lora hashes} in the PNG, and the errors and warnings a user sees.
 */
class LoraCommandTest {
    /** kohya's "addnet" hashes of the fixture files (sha256 of the data after the header), first 12 digits. */
    private static final String HASH_A = "c620b50f7005";
    private static final String HASH_B = "9492c9432493";

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "a0.8      | --lora {sd}/lora-a.safetensors:0.8                   |                                  | lora-a: " + HASH_A,
            "a0.5_b1.0 | --lora-dir {sd} --lora lora-a:0.5 --lora lora-b:1.0 |                                  | lora-a: " + HASH_A + ", lora-b: " + HASH_B,
            "a0.8      | --lora-dir {sd}                                      | ' <lora:lora-a:0.8>'               | lora-a: " + HASH_A,
            "a0.5_b1.0 | --lora-dir {sd}                                      | ' <lora:lora-a:0.5><lora:lora-b:1>' | lora-a: " + HASH_A + ", lora-b: " + HASH_B})
    void rendersTheReferenceRunWithLoras(String tag, String loraArgs, String promptTags, String hashes) throws IOException {
        Path png = dir.resolve("out.png");
        Path latents = dir.resolve("latents.safetensors");
        List<String> args = new ArrayList<>(List.of("render", "--model", Fixtures.sdTiny("model").toString(),
                "--prompt", "a painting of a cat in the snow" + (promptTags == null ? "" : promptTags),
                "--negative", "ugly, blurry",
                "--sampler", "Euler a", "--steps", "7", "--cfg", "7.5", "--seed", "42",
                "--width", "32", "--height", "32", "--out", png.toString(), "--latents-out", latents.toString()));
        args.addAll(expand(loraArgs));
        CommandLineRun run = CommandLineRun.of(args.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(!run.err().contains("warning"), run.err());

        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("lora-reference.safetensors"));
             SafetensorsFile ours = SafetensorsFile.open(latents)) {
            Parity.assertClose(tag + " final latents via the CLI", reference.floats(tag + ".final_latents"),
                    ours.floats("latents"), 1e-3);
            Parity.assertClose(tag + " image via the CLI (8-bit)", reference.floats(tag + ".image"),
                    PngReader.readImage(png).chw(), 1.0 / 255);
        }
        String parameters = PngReader.readParameters(png).orElseThrow();
        assertTrue(parameters.endsWith(", Lora hashes: \"" + hashes + "\""), parameters);
    }

    @Test
    void encodeAppliesTheLoraToTheTextEncoder() throws IOException {
        Path out = dir.resolve("hidden.safetensors");
        CommandLineRun run = CommandLineRun.of("encode", "--model", Fixtures.sdTiny("model").toString(),
                "--prompt", "a painting of a cat in the snow", "--out", out.toString(),
                "--lora", Fixtures.sdTiny("lora-a.safetensors") + ":0.8");
        assertEquals(0, run.exitCode(), run.err());
        try (SafetensorsFile ours = SafetensorsFile.open(out);
             SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("lora-reference.safetensors"))) {
            Parity.assertClose("a0.8 cond via encode --lora", reference.floats("a0.8.cond"), ours.floats("hidden"), 1e-4);
        }
    }

    @Test
    void keysThatMatchNoLayerAreReported() throws IOException {
        Path lora = dir.resolve("extra.safetensors");
        try (SafetensorsFile a = SafetensorsFile.open(Fixtures.sdTiny("lora-a.safetensors"));
             NDManager manager = NDManager.newBaseManager()) {
            SafetensorsWriter writer = new SafetensorsWriter();
            for (String key : a.names()) {
                writer.add(key, a.load(key, manager));
            }
            writer.add("lora_unet_down_blocks_7_attentions_0_proj_in.lora_down.weight", new float[4 * 32], 4, 32)
                    .add("lora_unet_down_blocks_7_attentions_0_proj_in.lora_up.weight", new float[32 * 4], 32, 4)
                    .add("lora_unet_mid_block_attentions_0_proj_in.hada_w1_a", new float[4], 4)
                    .write(lora);
        }
        CommandLineRun run = encode("--lora", lora + ":1");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("diffarm: warning: extra: 3 of 207 tensors match no layer of the model and are not "
                + "applied, e.g. lora_unet_mid_block_attentions_0_proj_in.hada_w1_a, "
                + "lora_unet_down_blocks_7_attentions_0_proj_in.lora_down.weight"), run.err());
    }

    @Test
    void weightThatIsNotANumber() {
        CommandLineRun run = encode("--lora", Fixtures.sdTiny("lora-a.safetensors") + ":strong");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("weight 'strong' is not a number; expected PATH:WEIGHT"), run.err());
    }

    @Test
    void namedLoraOutsideTheFolderIsRefused() {
        CommandLineRun run = encode("--lora-dir", Fixtures.sdTiny("model").toString(), "--lora", "..:1");
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("LoRA name '..' contains '..'"), run.err());
    }

    @Test
    void missingLoraFile() {
        CommandLineRun run = encode("--lora", dir.resolve("none.safetensors") + ":1");
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("none.safetensors"), run.err());
        assertEquals(1, run.err().lines().filter(l -> l.startsWith("diffarm: error:")).count(), run.err());
    }

    private CommandLineRun encode(String... extra) {
        List<String> args = new ArrayList<>(List.of("encode", "--model", Fixtures.sdTiny("model").toString(),
                "--prompt", "a cat", "--out", dir.resolve("h.safetensors").toString()));
        args.addAll(List.of(extra));
        return CommandLineRun.of(args.toArray(String[]::new));
    }

    private static List<String> expand(String loraArgs) {
        String sdTiny = Fixtures.sdTiny("lora-a.safetensors").getParent().toString();
        return List.of(loraArgs.trim().replace("{sd}", sdTiny).split("\\s+"));
    }
}
