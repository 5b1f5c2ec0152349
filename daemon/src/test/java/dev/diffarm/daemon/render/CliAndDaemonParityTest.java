package dev.diffarm.daemon.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.LocalFarm;
import dev.diffarm.daemon.TinyEngine;
import dev.diffarm.daemon.TinyModel;
import dev.diffarm.engine.cli.Main;
import dev.diffarm.engine.image.ModelHash;
import dev.diffarm.engine.image.PngReader;
import dev.diffarm.farm.config.JobEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI and the daemon are two adapters over the engine's one generation call: the same request through
 * {@code diffarm render} (picocli, in this JVM) and through a daemon job gives the same PNG {@code parameters} text
 * and the same pixels, with a LoRA, a textual-inversion embedding, a named schedule and eta all set. Also the job
 * field {@code schedule} end to end: accepted by name, written as {@code Schedule type}, refused when unknown.
 */
class CliAndDaemonParityTest {
    private static final String PROMPT = "a photo of zwx-style person in a hat";
    private static final String NEGATIVE = "blurry";
    /** A1111's short hash of the fixture lora-a, as the engine's LoraHashTest has it. */
    private static final String LORA_A_HASH = "c620b50f7005";

    @RegisterExtension
    static final TinyEngine tiny = new TinyEngine();

    @TempDir
    static Path shared;
    private static Path loras;
    private static Path embeddings;

    @TempDir
    Path local;

    @BeforeAll
    static void fixtures() throws IOException {
        Path sdTiny = TinyModel.source().getParent();
        loras = Files.createDirectories(shared.resolve("loras"));
        Files.createSymbolicLink(loras.resolve("lora-a.safetensors"), sdTiny.resolve("lora-a.safetensors"));
        embeddings = Files.createDirectories(shared.resolve("embeddings"));
        Files.copy(sdTiny.resolve("zwx-style.safetensors"), embeddings.resolve("zwx-style.safetensors"));
    }

    @Test
    void theCliAndADaemonJobWriteTheSamePngForTheSameRequest() throws IOException {
        LocalFarm farm = farm();
        farm.drop("job.json", """
                {"apiVersion": "diffarm/v1", "kind": "render", "id": "same", "model": "tiny", "prompts": ["%s"],
                 "negativePrompt": "%s", "seeds": [7], "steps": 3, "width": 32, "height": 32, "sampler": "Euler a",
                 "schedule": "Karras", "eta": 0.5, "cfg": 7.0, "loras": [{"name": "lora-a", "weight": 0.8}]}
                """.formatted(PROMPT, NEGATIVE));
        farm.runUntilIdle();
        Path daemonPng = local.resolve("outputs/jobs/same/t0000.png");

        Path cliPng = local.resolve("cli.png");
        runCli("render", "--model", tiny.models().resolve(TinyModel.NAME).toString(), "--prompt", PROMPT,
                "--negative", NEGATIVE, "--seed", "7", "--steps", "3", "--width", "32", "--height", "32",
                "--sampler", "Euler a", "--schedule", "Karras", "--eta", "0.5", "--cfg", "7",
                "--lora-dir", loras.toString(), "--lora", "lora-a:0.8", "--embeddings-dir", embeddings.toString(),
                "--out", cliPng.toString());

        String cli = PngReader.readParameters(cliPng).orElseThrow();
        String daemon = PngReader.readParameters(daemonPng).orElseThrow();
        System.out.println("CLI parameters:    " + cli.replace("\n", " | "));
        System.out.println("daemon parameters: " + daemon.replace("\n", " | "));
        String tiHash = ModelHash.sha256(embeddings.resolve("zwx-style.safetensors")).substring(0, 12);
        assertEquals(PROMPT + "\nNegative prompt: " + NEGATIVE + "\nSteps: 3, Sampler: Euler a, Schedule type: Karras, "
                + "CFG scale: 7, Seed: 7, Size: 32x32, Model hash: " + ModelHash.shortHash(TinyModel.source())
                + ", Model: tiny, TI hashes: \"zwx-style: " + tiHash + "\", Eta: 0.5, Lora hashes: \"lora-a: "
                + LORA_A_HASH + "\"", cli);
        assertEquals(cli, daemon, "the PNG parameters text, field for field");
        float[] cliPixels = PngReader.readImage(cliPng).chw();
        float[] daemonPixels = PngReader.readImage(daemonPng).chw();
        System.out.printf("CLI vs daemon: %d channel values compared%n", cliPixels.length);
        assertArrayEquals(cliPixels, daemonPixels, "the pixels");
    }

    @Test
    void aJobOnTheKarrasScheduleIsAcceptedAndItsPngSaysSo() throws IOException {
        LocalFarm farm = farm();
        farm.drop("job.json", TinyModel.renderJob("karras", "[\"a cat\"]", "[1]", 2)
                .replace("\"cfg\": 7.0}", "\"cfg\": 7.0, \"schedule\": \"Karras\"}"));
        farm.runUntilIdle();

        assertEquals(List.of("accepted", "task-completed", "completed"), farm.events.milestones("karras"));
        String parameters = PngReader.readParameters(local.resolve("outputs/jobs/karras/t0000.png")).orElseThrow();
        assertTrue(parameters.contains("Sampler: Euler a, Schedule type: Karras, CFG scale: 7, "), parameters);
    }

    @Test
    void anUnknownScheduleIsRejectedNamingTheFieldAndTheKnownOnes() {
        LocalFarm farm = farm();
        farm.drop("job.json", TinyModel.renderJob("linear", "[\"a cat\"]", "[1]", 2)
                .replace("\"cfg\": 7.0}", "\"cfg\": 7.0, \"schedule\": \"linear\"}"));
        farm.runUntilIdle();

        JobEvent.Rejected rejected = (JobEvent.Rejected) farm.events.of("linear").get(0);
        assertEquals(Optional.of("schedule"), rejected.error().field(), rejected.toJson());
        assertEquals("schedule = \"linear\": expected a schedule this farm has: default, Exponential, Karras",
                rejected.error().message());
        assertEquals(List.of(), farm.store.list("jobs/linear/"));
    }

    @Test
    void theEmbeddingsFolderListsWhatPromptsCanTrigger() {
        assertEquals(List.of("zwx-style"), new EmbeddingDirectory(embeddings).names());
        assertEquals(List.of(), new EmbeddingDirectory(shared.resolve("none")).names(), "a missing folder holds none");
    }

    private LocalFarm farm() {
        return new LocalFarm(local, tiny.models(), loras, tiny.renderer(loras, embeddings));
    }

    /** Runs the command line in this JVM, as a user would run {@code diffarm}, and fails with what it printed. */
    static void runCli(String... args) {
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.run(args);
        } finally {
            System.setErr(oldErr);
        }
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
    }
}
