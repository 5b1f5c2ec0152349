package dev.diffarm.farm.config;

import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The names a farm knows: its models, samplers, noise schedules, LoRAs, upscalers, ControlNets and control
 * preprocessors. The contract cannot know them, so
 * the farm hands its catalog to {@link JobParser}, which then reports an unknown name like any other bad
 * value, with its field: {@code sampler = "Eular a": expected a sampler this farm has: Euler a, DDIM}.
 *
 * <p>A producer without access to the farm parses with {@link #unchecked()}: every name passes, and the farm
 * checks them when the job arrives.
 */
public interface Catalog {

    /** The kinds of named things a job refers to. */
    enum Kind {
        MODEL("model"), SAMPLER("sampler"), SCHEDULE("schedule"), LORA("LoRA"), UPSCALER("upscaler"),
        CONTROLNET("ControlNet"), PREPROCESSOR("control preprocessor"),
        /** The upscalers that are diffusion pipelines (SD x4) rather than image upscalers: they take render fields. */
        DIFFUSION_UPSCALER("SD x4 upscaler");

        private final String noun;

        Kind(String noun) {
            this.noun = noun;
        }

        /** How messages call it: {@code model}, {@code sampler}, {@code LoRA}, {@code ControlNet}, ... */
        public String noun() {
            return noun;
        }

        /** The noun with its indefinite article: {@code a model}, {@code an upscaler}. */
        public String withArticle() {
            return ("aeiou".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
        }
    }

    /** Whether the farm has the {@code kind} called {@code name} (the farm decides how names match). */
    boolean knows(Kind kind, String name);

    /** The names of every {@code kind} the farm has, for messages; empty when they cannot be listed. */
    List<String> names(Kind kind);

    /** A catalog that knows every name: names are left for the farm to check. */
    static Catalog unchecked() {
        return of(Map.of());
    }

    /**
     * A catalog of fixed names, matched exactly. A kind the map leaves out is not checked: every name of it
     * passes.
     */
    static Catalog of(Map<Kind, ? extends Collection<String>> names) {
        Map<Kind, List<String>> fixed = new EnumMap<>(Kind.class);
        names.forEach((kind, list) -> fixed.put(Objects.requireNonNull(kind), List.copyOf(list)));
        return new Catalog() {
            @Override
            public boolean knows(Kind kind, String name) {
                List<String> known = fixed.get(kind);
                return known == null || known.contains(name);
            }

            @Override
            public List<String> names(Kind kind) {
                return fixed.getOrDefault(kind, List.of());
            }
        };
    }
}
