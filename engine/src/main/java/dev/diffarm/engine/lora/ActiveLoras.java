package dev.diffarm.engine.lora;

import dev.diffarm.engine.pipeline.StableDiffusion;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The LoRAs of a render, read, matched to the model and fused into it until {@link #close}, with what the render
 * reports about them: the keys that matched no layer and AUTOMATIC1111's {@code Lora hashes}.
 *
 * <pre>{@code
 * try (ActiveLoras loras = ActiveLoras.activate(model, List.of(new LoraRequest("style", file, 0.8)))) {
 *     loras.warnings().forEach(System.err::println);
 *     ... render ...
 * }   // the model's own weights are back
 * }</pre>
 */
public final class ActiveLoras implements AutoCloseable {
    private final List<LoraWeights> files;
    private final FusedLoras fused;
    private final List<String> warnings;
    private final List<String> hashes;

    private ActiveLoras(List<LoraWeights> files, FusedLoras fused, List<String> warnings, List<String> hashes) {
        this.files = files;
        this.fused = fused;
        this.warnings = warnings;
        this.hashes = hashes;
    }

    /**
     * Reads, binds and fuses {@code requests} in order (none: the model stays as it is).
     *
     * @throws LoraException naming the LoRA that cannot be read or does not fit the model
     */
    public static ActiveLoras activate(StableDiffusion model, List<LoraRequest> requests) throws IOException {
        List<LoraWeights> files = new ArrayList<>();
        try {
            LoraTargets targets = LoraTargets.of(model);
            List<WeightedLora> bound = new ArrayList<>();
            List<String> warnings = new ArrayList<>();
            List<String> hashes = new ArrayList<>();
            for (LoraRequest request : requests) {
                LoraWeights lora = LoraWeights.read(request.file());
                files.add(lora);
                BoundLora binding = targets.bind(lora);
                if (!binding.unmatchedKeys().isEmpty()) {
                    warnings.add(binding.unmatchedSummary());
                }
                bound.add(new WeightedLora(binding, request.weight()));
                hashes.add(request.name().replace(":", "").replace(",", "") + ": " + LoraHash.shortHash(request.file()));
            }
            return new ActiveLoras(files, FusedLoras.fuse(bound), List.copyOf(warnings), List.copyOf(hashes));
        } catch (IOException | RuntimeException e) {
            files.forEach(LoraWeights::close);
            throw e;
        }
    }

    /** One line per LoRA with keys that match no layer of the model. */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * The value of AUTOMATIC1111's {@code Lora hashes} infotext field ({@code name: 0123456789ab, other: ...}, names
     * without {@code :} and {@code ,}), or empty without LoRAs.
     */
    public Optional<String> infotextHashes() {
        return hashes.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", hashes));
    }

    /** Restores the model's weights and frees the LoRAs. */
    @Override
    public void close() {
        fused.close();
        files.forEach(LoraWeights::close);
    }
}
