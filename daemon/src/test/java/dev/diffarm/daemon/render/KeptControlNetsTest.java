package dev.diffarm.daemon.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.diffarm.daemon.TinyModel;
import dev.diffarm.engine.pipeline.ControlNet;
import dev.diffarm.engine.pipeline.ControlNetSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker's ControlNets stay loaded between renders, within the worker's one budget of loaded weights, and a replaced
 * file is loaded again.
 */
class KeptControlNetsTest {
    @TempDir
    Path dir;

    /** Three copies of the tiny ControlNet's folder, as three different ControlNets. */
    private List<Path> threeControlNets() throws IOException {
        Path source = TinyModel.source().getParent().resolve("controlnet");
        Path folder = Files.createDirectories(dir.resolve("controlnet"));
        for (String name : List.of("a", "b", "c")) {
            Path copy = Files.createDirectories(folder.resolve(name));
            for (String file : List.of("config.json", "diffusion_pytorch_model.safetensors")) {
                Files.copy(source.resolve(file), copy.resolve(file));
            }
        }
        return List.of(folder.resolve("a"), folder.resolve("b"), folder.resolve("c"));
    }

    /** A worker's weights with a budget of {@code count} tiny ControlNets. */
    private static LoadedWeights budgetOf(double count) {
        long one = LoadedWeights.files(TinyModel.source().getParent().resolve("controlnet")).bytes();
        return new LoadedWeights((long) (count * one));
    }

    @Test
    void aControlNetLeasedAgainIsTheOneLoadedBefore() throws IOException {
        Path a = threeControlNets().get(0);
        try (LoadedWeights weights = budgetOf(1)) {
            KeptControlNets kept = new KeptControlNets(weights);
            ControlNet first = leaseOnce(kept, a);
            assertSame(first, leaseOnce(kept, a));
            assertEquals(List.of(a), kept.loaded());
        }
    }

    @Test
    void idleOnesBeyondTheBudgetAreFreedLeastRecentlyUsedFirstButNoneInUse() throws IOException {
        List<Path> nets = threeControlNets();
        try (LoadedWeights weights = budgetOf(2.5)) {
            KeptControlNets kept = new KeptControlNets(weights);
            leaseOnce(kept, nets.get(0));
            leaseOnce(kept, nets.get(1));
            leaseOnce(kept, nets.get(0));
            leaseOnce(kept, nets.get(2));
            assertEquals(List.of(nets.get(0), nets.get(2)), kept.loaded(),
                    "b, used longest ago, made room for c; a was used after it");
        }
        try (LoadedWeights weights = budgetOf(1)) {
            KeptControlNets kept = new KeptControlNets(weights);
            try (ControlNetSource.Lease a = kept.lease(nets.get(0), Optional.empty());
                 ControlNetSource.Lease b = kept.lease(nets.get(1), Optional.empty())) {
                assertEquals(nets.subList(0, 2), kept.loaded(), "both in use by one render: over the budget");
            }
            leaseOnce(kept, nets.get(2));
            assertEquals(List.of(nets.get(2)), kept.loaded(), "released, both made room");
        }
    }

    @Test
    void aFileReplacedOnDiskIsLoadedAgain() throws IOException {
        Path a = threeControlNets().get(0);
        try (LoadedWeights weights = budgetOf(2)) {
            KeptControlNets kept = new KeptControlNets(weights);
            ControlNet before = leaseOnce(kept, a);
            Path file = a.resolve("diffusion_pytorch_model.safetensors");
            Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 60_000));
            assertNotSame(before, leaseOnce(kept, a));
            assertEquals(List.of(a), kept.loaded(), "the one of the old file freed");
        }
    }

    /** The ControlNet one render of {@code model} gets, its lease ended. */
    private static ControlNet leaseOnce(KeptControlNets kept, Path model) {
        try (ControlNetSource.Lease lease = kept.lease(model, Optional.empty())) {
            return lease.controlNet();
        }
    }
}
