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

/** A worker's ControlNets stay loaded between renders, within their bound, and a replaced file is loaded again. */
class KeptControlNetsTest {
    @TempDir
    Path dir;

    /** Two copies of the tiny ControlNet's folder, as two different ControlNets. */
    private List<Path> twoControlNets() throws IOException {
        Path source = TinyModel.source().getParent().resolve("controlnet");
        Path folder = Files.createDirectories(dir.resolve("controlnet"));
        for (String name : List.of("a", "b")) {
            Path copy = Files.createDirectories(folder.resolve(name));
            for (String file : List.of("config.json", "diffusion_pytorch_model.safetensors")) {
                Files.copy(source.resolve(file), copy.resolve(file));
            }
        }
        return List.of(folder.resolve("a"), folder.resolve("b"));
    }

    @Test
    void aControlNetLeasedAgainIsTheOneLoadedBefore() throws IOException {
        Path a = twoControlNets().get(0);
        try (KeptControlNets kept = new KeptControlNets(1)) {
            ControlNet first = leaseOnce(kept, a);
            assertSame(first, leaseOnce(kept, a));
            assertEquals(List.of(a), kept.loaded());
        }
    }

    @Test
    void idleOnesBeyondTheBoundAreFreedLeastRecentlyUsedFirstButNoneInUse() throws IOException {
        List<Path> nets = twoControlNets();
        try (KeptControlNets kept = new KeptControlNets(1)) {
            try (ControlNetSource.Lease a = kept.lease(nets.get(0), Optional.empty());
                 ControlNetSource.Lease b = kept.lease(nets.get(1), Optional.empty())) {
                assertEquals(nets, kept.loaded(), "both in use by one render");
            }
            assertEquals(List.of(nets.get(1)), kept.loaded(), "one idle one kept: the one used last");
        }
        try (KeptControlNets none = new KeptControlNets(0)) {
            none.lease(nets.get(0), Optional.empty()).close();
            assertEquals(List.of(), none.loaded());
        }
    }

    @Test
    void aFileReplacedOnDiskIsLoadedAgain() throws IOException {
        Path a = twoControlNets().get(0);
        try (KeptControlNets kept = new KeptControlNets(2)) {
            ControlNet before = leaseOnce(kept, a);
            Path weights = a.resolve("diffusion_pytorch_model.safetensors");
            Files.setLastModifiedTime(weights, FileTime.fromMillis(Files.getLastModifiedTime(weights).toMillis() + 60_000));
            assertNotSame(before, leaseOnce(kept, a));
        }
    }

    /** The ControlNet one render of {@code model} gets, its lease ended. */
    private static ControlNet leaseOnce(KeptControlNets kept, Path model) {
        try (ControlNetSource.Lease lease = kept.lease(model, Optional.empty())) {
            return lease.controlNet();
        }
    }
}
