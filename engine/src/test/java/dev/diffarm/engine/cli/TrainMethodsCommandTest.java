package dev.diffarm.engine.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.diffarm.api.finetune.TokenRows;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.embedding.EmbeddingFile;
import dev.diffarm.engine.embedding.EmbeddingLibrary;
import dev.diffarm.engine.pipeline.PromptEncoder;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.random.TorchGenerator;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import dev.diffarm.engine.train.HostModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code diffarm train} with the DreamBooth and textual-inversion plugins on the tiny model: a few steps through the
 * CLI, the result loads where users load it, and a run resumed from a saved state writes the same file bit for bit.
 * The fixtures hold no full DreamBooth or textual-inversion run (only single steps, checked in the step parity
 * tests), so these runs are checked for finite losses, for their output and for resume.
 */
class TrainMethodsCommandTest {
    @TempDir
    Path dir;

    private static List<String> args(String method, Path out, String... extra) {
        return args(method, 4, out, extra);
    }

    private static List<String> args(String method, int steps, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--method", method,
                "--model", Fixtures.sdTiny("model").toString(), "--data", Fixtures.sdTiny("train-data").toString(),
                "--learning-rate", "1e-3", "--max-train-steps", Integer.toString(steps), "--train-batch-size", "1",
                "--seed", "11", "--out", out.toString()));
        args.addAll(List.of(extra));
        return args;
    }

    private static CommandLineRun train(List<String> args) {
        CommandLineRun run = CommandLineRun.of(args.toArray(String[]::new));
        System.out.print(run.out());
        assertEquals(0, run.exitCode(), run.err());
        return run;
    }

    private static List<Double> losses(CommandLineRun run) {
        List<Double> losses = new ArrayList<>();
        Matcher m = Pattern.compile("step \\d+/\\d+  loss ([0-9.eE+-]+|NaN|Infinity)").matcher(run.out());
        while (m.find()) {
            losses.add(Double.parseDouble(m.group(1)));
        }
        return losses;
    }

    @Test
    void textualInversionWritesAnEmbeddingTheRenderPathUsesAndResumesBitForBit() throws Exception {
        Path out = dir.resolve("zwxtoken.safetensors");
        String[] ti = {"--instance-prompt", "a photo of <zwx>", "--token", "<zwx>", "--init-token", "person",
                "--num-vectors", "2"};
        List<String> first = args("textual-inversion", out, ti);
        first.addAll(List.of("--save-every", "2", "--save-state"));
        CommandLineRun run = train(first);
        List<Double> losses = losses(run);
        assertEquals(4, losses.size(), run.out());
        assertTrue(losses.stream().allMatch(Double::isFinite), losses.toString());

        EmbeddingFile embedding = EmbeddingFile.read(out);
        assertEquals(2, embedding.count());
        try (SafetensorsFile file = SafetensorsFile.open(out)) {
            assertEquals("<zwx>", file.metadata().get("name"));
        }
        try (StableDiffusion model = StableDiffusion.load(Fixtures.sdTiny("model"), Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment());
             NDManager manager = NDManager.newBaseManager()) {
            assertEquals(model.textModel().config().hiddenSize(), embedding.width());
            // the trained rows as the training encodes a caption with the token ...
            TokenRows rows = new HostModel(model, new TorchGenerator(0), manager).addTokens("<zwx>", "person", 2, manager);
            float[] init = rows.newRows(manager).toFloatArray();
            assertTrue(Parity.relativeError(init, embedding.values()) > 1e-4, "training moved the new rows");
            long vocabulary = rows.matrix().getShape().get(0) - 2;
            rows.matrix().set(newRowsIn(rows.matrix().toFloatArray(), embedding.values(), vocabulary));
            float[] trained = rows.encode(List.of("a photo of <zwx>")).toFloatArray();
            // ... and as the render path encodes a prompt that names the embedding file
            PromptEncoder prompts = new PromptEncoder(model.tokenizer(), model.textModel(),
                    EmbeddingLibrary.scan(dir));
            float[] rendered = prompts.encode(manager, "a photo of zwxtoken", Emphasis.NONE, 1).toFloatArray();
            double error = Parity.relativeError(trained, rendered);
            System.out.printf("textual inversion: render path vs training encoding of the token, relative error %.3g%n",
                    error);
            assertTrue(error <= 1e-5, "the render path uses the trained vectors: " + error);
            float[] without = prompts.encode(manager, "a photo of person", Emphasis.NONE, 1).toFloatArray();
            assertTrue(Parity.relativeError(without, rendered) > 1e-4, "the embedding changes the encoding");
        }

        Path resumed = dir.resolve("resumed").resolve("zwxtoken.safetensors");
        Files.createDirectories(resumed.getParent());
        List<String> second = args("textual-inversion", resumed, ti);
        second.addAll(List.of("--resume", dir.resolve("zwxtoken.safetensors.state/step-000002").toString()));
        CommandLineRun again = train(second);
        assertTrue(again.out().contains("step 3/4") && !again.out().contains("step 2/4"), again.out());
        assertArrayEquals(embedding.values(), EmbeddingFile.read(resumed).values(), "resumed run, bit for bit");
    }

    private static float[] newRowsIn(float[] matrix, float[] rows, long vocabulary) {
        int d = rows.length / 2;
        System.arraycopy(rows, 0, matrix, (int) (vocabulary * d), rows.length);
        return matrix;
    }

    @Test
    void dreamBoothWithPriorPreservationWritesACheckpointThatLoadsAndResumesBitForBit() throws Exception {
        Path classes = dir.resolve("class-images");
        Files.createDirectories(classes);
        try (var pngs = Files.list(Fixtures.sdTiny("train-data"))) {
            for (Path png : pngs.filter(p -> p.toString().endsWith(".png")).toList()) {
                Files.copy(png, classes.resolve("class-" + png.getFileName()));
            }
        }
        String[] db = {"--instance-prompt", "a photo of zwx person", "--class-data", classes.toString(),
                "--class-prompt", "a photo of a person", "--num-class-images", "2", "--prior-loss-weight", "1.0",
                "--train-text-encoder"};
        Path out = dir.resolve("zwx-person.safetensors");
        List<String> first = args("dreambooth", 3, out, db);
        first.addAll(List.of("--save-every", "2", "--save-state"));
        CommandLineRun run = train(first);
        List<Double> losses = losses(run);
        assertEquals(3, losses.size(), run.out());
        assertTrue(losses.stream().allMatch(Double::isFinite), losses.toString());
        try (StableDiffusion base = StableDiffusion.load(Fixtures.sdTiny("model"), Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment());
             StableDiffusion trained = StableDiffusion.load(out, Optional.of(Fixtures.sdTiny("model")), Optional.empty(),
                     TokenizerLocator.fromEnvironment())) {
            double moved = 0;
            for (var e : base.unet().parameters().entrySet()) {
                NDArray after = trained.unet().parameters().get(e.getKey());
                moved = Math.max(moved, Parity.relativeError(e.getValue().toFloatArray(), after.toFloatArray()));
            }
            double textMoved = 0;
            for (var e : base.textModel().parameters().entrySet()) {
                NDArray after = trained.textModel().parameters().get(e.getKey());
                textMoved = Math.max(textMoved, Parity.relativeError(e.getValue().toFloatArray(), after.toFloatArray()));
            }
            System.out.printf("dreambooth --train-text-encoder: largest relative change of a UNet tensor after 3 steps "
                    + "%.3g, of a text-encoder tensor %.3g%n", moved, textMoved);
            assertTrue(moved > 1e-5, "the checkpoint holds the trained UNet");
            assertTrue(textMoved > 1e-6, "the checkpoint holds the trained text encoder");
        }

        Path resumed = dir.resolve("resumed").resolve("zwx-person.safetensors");
        Files.createDirectories(resumed.getParent());
        List<String> second = args("dreambooth", 3, resumed, db);
        second.addAll(List.of("--resume",
                dir.resolve("zwx-person.safetensors.state/step-000002").toString()));
        CommandLineRun again = train(second);
        assertTrue(again.out().contains("step 3/3") && !again.out().contains("step 2/3"), again.out());
        try (SafetensorsFile a = SafetensorsFile.open(out); SafetensorsFile b = SafetensorsFile.open(resumed)) {
            assertEquals(a.names(), b.names());
            for (String key : a.names()) {
                if (a.info(key).dtype().name().startsWith("I")) {
                    assertArrayEquals(a.longs(key), b.longs(key), key);
                } else {
                    assertArrayEquals(a.floats(key), b.floats(key), "resumed run, " + key + " bit for bit");
                }
            }
        }
    }

    @Test
    void helpListsEveryOptionWithItsDefault() {
        CommandLineRun help = CommandLineRun.of("train", "--help");
        assertEquals(0, help.exitCode(), help.err());
        for (String option : List.of("--method", "--instance-prompt", "--class-prompt", "--class-data",
                "--prior-loss-weight", "--num-class-images", "--token", "--init-token", "--num-vectors", "--network-dim",
                "--learning-rate", "--save-state", "--resume", "--train-text-encoder", "--network-train-unet-only",
                "--network-train-text-encoder-only", "--text-encoder-lr", "--unet-lr")) {
            assertTrue(help.out().contains(option), option + " in\n" + help.out());
        }
        assertTrue(help.out().contains("(default lora)") && help.out().contains("(default 4)"), help.out());
        assertTrue(help.out().contains("(default 100)") && help.out().contains("(default 1.0)"), help.out());
    }

    @Test
    void badMethodOptionsAreOneLineErrorsNamingTheOption() {
        CommandLineRun noToken = CommandLineRun.of(args("textual-inversion", dir.resolve("a.safetensors"),
                "--init-token", "person").toArray(String[]::new));
        assertEquals(2, noToken.exitCode(), noToken.err());
        assertTrue(noToken.err().contains("--token"), noToken.err());
        CommandLineRun vectors = CommandLineRun.of(args("textual-inversion", dir.resolve("b.safetensors"),
                "--token", "<zwx>", "--init-token", "person", "--num-vectors", "0").toArray(String[]::new));
        assertEquals(2, vectors.exitCode(), vectors.err());
        assertTrue(vectors.err().contains("--num-vectors"), vectors.err());
        CommandLineRun noClassPrompt = CommandLineRun.of(args("dreambooth", dir.resolve("c.safetensors"),
                "--class-data", dir.toString()).toArray(String[]::new));
        assertEquals(2, noClassPrompt.exitCode(), noClassPrompt.err());
        assertTrue(noClassPrompt.err().contains("--class-prompt"), noClassPrompt.err());
        CommandLineRun ti = CommandLineRun.of(args("textual-inversion", dir.resolve("d.safetensors"),
                "--token", "<zwx>", "--init-token", "person", "--class-data", dir.toString(), "--class-prompt",
                "a person").toArray(String[]::new));
        assertEquals(2, ti.exitCode(), ti.err());
        assertTrue(ti.err().contains("--class-data"), ti.err());
    }

    /** As diffusers' script: too few class images, and the base model renders the rest into the folder first. */
    @Test
    void missingClassImagesAreRenderedBeforeTraining() throws Exception {
        Path classes = dir.resolve("class-images");
        Files.createDirectories(classes);
        Files.copy(Fixtures.sdTiny("train-data").resolve(firstPng()), classes.resolve("mine.png"));
        CommandLineRun run = train(args("dreambooth", 1, dir.resolve("e.safetensors"), "--instance-prompt",
                "a photo of zwx person", "--class-data", classes.toString(), "--class-prompt", "a photo of a person",
                "--num-class-images", "3"));
        assertTrue(run.out().contains("rendered 2 class images"), run.out());
        for (String name : List.of("class-0001.png", "class-0002.png")) {
            Path png = classes.resolve(name);
            assertTrue(Files.isRegularFile(png), name);
            var image = dev.diffarm.engine.image.PngReader.readImage(png);
            var instance = dev.diffarm.engine.image.PngReader.readImage(classes.resolve("mine.png"));
            assertEquals(instance.width(), image.width(), "rendered at the instance images' size");
        }
        CommandLineRun again = train(args("dreambooth", 1, dir.resolve("f.safetensors"), "--instance-prompt",
                "a photo of zwx person", "--class-data", classes.toString(), "--class-prompt", "a photo of a person",
                "--num-class-images", "3"));
        assertTrue(!again.out().contains("rendered"), "kept for the next run: " + again.out());
    }

    private static Path firstPng() throws java.io.IOException {
        try (var files = Files.list(Fixtures.sdTiny("train-data"))) {
            return files.filter(p -> p.toString().endsWith(".png")).sorted().findFirst().orElseThrow().getFileName();
        }
    }
}
