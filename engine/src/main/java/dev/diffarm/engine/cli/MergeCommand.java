package dev.diffarm.engine.cli;

import dev.diffarm.engine.merge.CheckpointMerge;
import dev.diffarm.engine.merge.MergeMode;
import dev.diffarm.engine.model.ModelFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "merge", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Merges checkpoints (diffusers folders or .safetensors single files) into one single-file "
                + "checkpoint in the original layout, one tensor at a time: weighted sum A*(1-m) + B*m, or add "
                + "difference A + (B - C)*m. Each tensor keeps A's type (fp16 stays fp16). The UNet, VAE and text "
                + "encoder weights must match in every input; other tensors of a single file (EMA weights, training "
                + "buffers) are not merged and not written."})
final class MergeCommand implements Callable<Integer> {
    @Option(names = "--a", required = true, paramLabel = "PATH", description = "Checkpoint A (its types are kept).")
    Path a;

    @Option(names = "--b", required = true, paramLabel = "PATH", description = "Checkpoint B.")
    Path b;

    @Option(names = "--c", paramLabel = "PATH", description = "Checkpoint C, for add-difference.")
    Path c;

    @Option(names = "--mode", required = true, paramLabel = "MODE", description = "weighted-sum or add-difference.")
    String mode;

    @Option(names = "--m", required = true, paramLabel = "X",
            description = "Multiplier: B's share for weighted-sum (0..1), the difference's scale for add-difference (>= 0).")
    double m;

    @Option(names = "--out", required = true, paramLabel = "FILE.safetensors", description = "The merged checkpoint.")
    Path out;

    @Option(names = "--config", paramLabel = "DIR",
            description = "A diffusers folder whose configs describe single files whose shape the tensors cannot tell.")
    Path config;

    @Override
    public Integer call() throws IOException {
        MergeMode merge = MergeMode.parse(mode);
        if (merge == MergeMode.ADD_DIFFERENCE && c == null) {
            throw new IllegalArgumentException("--mode add-difference needs --c, the checkpoint whose difference to B is added");
        }
        if (merge == MergeMode.WEIGHTED_SUM && c != null) {
            throw new IllegalArgumentException("--c " + c + ": the weighted sum merges A and B only");
        }
        if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors")) {
            throw new IllegalArgumentException("--out " + out + ": expected a .safetensors file");
        }
        List<Path> paths = c == null ? List.of(a, b) : List.of(a, b, c);
        List<ModelFiles> inputs = new ArrayList<>();
        try {
            for (Path path : paths) {
                inputs.add(ModelFiles.open(path, Optional.ofNullable(config)));
            }
            long start = System.nanoTime();
            CheckpointMerge.Result result = CheckpointMerge.merge(merge, m, inputs, out);
            if (!result.notWritten().isEmpty()) {
                System.err.println("diffarm: note: " + result.notWritten().size() + " tensors of A outside the UNet, VAE "
                        + "and text encoder were not written, e.g. "
                        + String.join(", ", result.notWritten().subList(0, Math.min(5, result.notWritten().size()))));
            }
            System.err.printf("diffarm: merged %d tensors in %.1f s%n", result.tensors(), (System.nanoTime() - start) / 1e9);
            System.out.println(out);
        } finally {
            inputs.forEach(ModelFiles::close);
        }
        return 0;
    }
}
