package dev.diffarm.engine.cli;

import dev.diffarm.api.control.ControlPreprocessor;
import dev.diffarm.engine.pipeline.ControlUnit;
import dev.diffarm.engine.pipeline.PixelFormats;
import dev.diffarm.engine.pipeline.ResizeMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.function.Function;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * ControlNet units, each {@code --controlnet PATH[:WEIGHT[:START:END]] --control-image FILE} with its own
 * preprocessor options after it; repeat the group for several units, which apply in order.
 */
final class ControlNetOptions {
    /** sd-webui-controlnet's module for a picture that is already the control map. */
    private static final String NO_PREPROCESSOR = "none";

    @ArgGroup(exclusive = false, multiplicity = "0..*", heading = "ControlNet units (repeat for several):%n")
    List<Unit> units = new ArrayList<>();

    /** One unit's options. */
    static final class Unit {
        @Option(names = "--controlnet", required = true, paramLabel = "PATH[:WEIGHT[:START:END]]",
                description = "A ControlNet (diffusers folder or .safetensors in the original layout), its weight "
                        + "(0..2, default 1) and the fraction of the steps it guides (default 0:1).")
        String spec;

        @Option(names = "--control-image", required = true, paramLabel = "FILE",
                description = "The unit's picture (PNG, JPEG or WebP), fitted to the size as --control-resize-mode says.")
        Path image;

        @Option(names = "--control-preprocessor", paramLabel = "NAME",
                description = "What turns the picture into the control map: canny, or none for a ready map "
                        + "(depth, pose, line art). Default: none.")
        String preprocessor;

        @Option(names = "--canny-low", paramLabel = "N",
                description = "With canny: the low threshold (sd-webui-controlnet's Threshold A). Default: 100.")
        Double cannyLow;

        @Option(names = "--canny-high", paramLabel = "N",
                description = "With canny: the high threshold (Threshold B). Default: 200.")
        Double cannyHigh;

        @Option(names = "--control-processor-res", paramLabel = "N",
                description = "The preprocessor resolution (sd-webui-controlnet's processor_res, 64..2048): the "
                        + "picture's shorter side is brought to N (OpenCV's INTER_AREA down, INTER_CUBIC up) before "
                        + "the preprocessor runs. Not with --control-preprocessor none. Default: the picture as it is.")
        Integer processorRes;

        @Option(names = "--control-resize-mode", paramLabel = "MODE",
                description = "How a picture of another size is fitted, as sd-webui-controlnet names it: 'Just resize', "
                        + "'Crop and resize', 'Resize and fill' (or just, crop, fill). Default: Crop and resize.")
        String resizeMode;

        @Option(names = "--controlnet-config", paramLabel = "FILE",
                description = "A diffusers config.json for a single-file ControlNet whose shapes do not tell "
                        + "everything (its attention heads). Default: read from the file (SD 1.x's 8 heads).")
        Path config;
    }

    /** The spec's parts: the model path and the numbers after it. */
    record Spec(Path model, double weight, double start, double end) {

        /**
         * Reads {@code PATH[:WEIGHT[:START:END]]}. A path that exists as given is taken whole, so that a path with a
         * colon in it still works.
         */
        static Spec parse(String spec) {
            if (Files.exists(Path.of(spec))) {
                return new Spec(Path.of(spec), 1, 0, 1);
            }
            String[] parts = spec.split(":", -1);
            if (parts.length >= 4 && numbers(parts, parts.length - 3)) {
                return new Spec(Path.of(join(parts, parts.length - 3)), number(parts[parts.length - 3]),
                        number(parts[parts.length - 2]), number(parts[parts.length - 1]));
            }
            if (parts.length >= 2 && numbers(parts, parts.length - 1)) {
                return new Spec(Path.of(join(parts, parts.length - 1)), number(parts[parts.length - 1]), 0, 1);
            }
            throw new IllegalArgumentException("--controlnet " + spec + ": no such file or folder; expected "
                    + "PATH[:WEIGHT[:START:END]]");
        }

        private static boolean numbers(String[] parts, int from) {
            for (int i = from; i < parts.length; i++) {
                try {
                    Double.parseDouble(parts[i]);
                } catch (NumberFormatException e) {
                    return false;
                }
            }
            return true;
        }

        private static double number(String text) {
            return Double.parseDouble(text);
        }

        private static String join(String[] parts, int count) {
            return String.join(":", java.util.Arrays.copyOf(parts, count));
        }
    }

    /**
     * The units, their pictures read and their preprocessors found.
     *
     * @param preprocessors finds a preprocessor by name
     */
    List<ControlUnit> units(Function<String, ControlPreprocessor> preprocessors) throws IOException {
        List<ControlUnit> out = new ArrayList<>();
        for (Unit unit : units) {
            Spec spec = Spec.parse(unit.spec);
            String name = unit.preprocessor == null ? NO_PREPROCESSOR : unit.preprocessor;
            Map<String, Double> options = ControlUnit.thresholds(optional(unit.cannyLow), optional(unit.cannyHigh));
            if (!options.isEmpty() && !name.equalsIgnoreCase("canny")) {
                throw new IllegalArgumentException("--canny-low/--canny-high go with --control-preprocessor canny, "
                        + "not " + name + " (unit " + out.size() + ", " + unit.spec + ")");
            }
            if (unit.processorRes != null && name.equalsIgnoreCase(NO_PREPROCESSOR)) {
                throw new IllegalArgumentException("--control-processor-res " + unit.processorRes + ": goes with a "
                        + "--control-preprocessor, not none (unit " + out.size() + ", " + unit.spec + ")");
            }
            out.add(new ControlUnit(spec.model(), Optional.ofNullable(unit.config),
                    PixelFormats.toUnit(ImageFiles.read("--control-image", unit.image)), preprocessors.apply(name),
                    options, spec.weight(), spec.start(), spec.end(), unit.resizeMode == null
                    ? ResizeMode.CROP_AND_RESIZE : ResizeMode.named(unit.resizeMode),
                    unit.processorRes == null ? OptionalInt.empty() : OptionalInt.of(unit.processorRes)));
        }
        return out;
    }

    private static OptionalDouble optional(Double value) {
        return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
    }
}
