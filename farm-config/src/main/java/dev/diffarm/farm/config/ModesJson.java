package dev.diffarm.farm.config;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Function;

/**
 * Writes {@link ImageModes} as the flat fields a job has them in ({@code initImage}, {@code maskBlur},
 * {@code enableHr}, {@code controlnets}, {@code upscale}, ...), only those of the modes that are set: txt2img writes none, so its JSON and parameter
 * hash stay as they were before the modes existed.
 */
final class ModesJson {
    private ModesJson() {
    }

    /** The modes' fields on {@code node}, each picture as {@code picture} writes it (its JSON or its identity). */
    static void write(ObjectNode node, ImageModes modes, Function<ImageInput, String> picture) {
        modes.init().ifPresent(init -> {
            node.put("initImage", picture.apply(init.image()));
            node.put("resizeMode", init.resizeMode().id());
            node.put("denoisingStrength", init.denoisingStrength());
            init.mask().ifPresent(mask -> {
                node.put("mask", picture.apply(mask.image()));
                node.put("maskBlur", mask.blur());
                node.put("inpaintingMaskInvert", mask.invert());
                node.put("inpaintingFill", mask.fill().id());
                node.put("inpaintFullRes", mask.onlyMaskedPadding().isPresent());
                mask.onlyMaskedPadding().ifPresent(padding -> node.put("inpaintFullResPadding", padding));
            });
            init.outpaint().ifPresent(sides -> node.putObject("outpaint").put("left", sides.left())
                    .put("right", sides.right()).put("top", sides.top()).put("bottom", sides.bottom()));
        });
        modes.hires().ifPresent(hires -> {
            node.put("enableHr", true);
            node.put("hrScale", hires.scale());
            node.put("hrUpscaler", hires.upscaler());
            node.put("hrSecondPassSteps", hires.secondPassSteps());
            node.put("hrStepsRule", hires.stepsRule().id());
            node.put("denoisingStrength", hires.denoisingStrength());
        });
        if (!modes.controlNets().isEmpty()) {
            ArrayNode units = node.putArray("controlnets");
            modes.controlNets().forEach(unit -> writeUnit(units.addObject(), unit, picture));
        }
        modes.upscale().ifPresent(step -> node.putObject("upscale").put("upscaler", step.upscaler())
                .put("scale", step.scale()).put("tile", step.tile()).put("tileOverlap", step.tileOverlap()));
    }

    private static void writeUnit(ObjectNode node, ControlNetUnit unit, Function<ImageInput, String> picture) {
        node.put("model", unit.model());
        node.put("image", picture.apply(unit.image()));
        node.put("module", unit.module());
        node.put("weight", unit.weight());
        node.put("guidanceStart", unit.guidanceStart());
        node.put("guidanceEnd", unit.guidanceEnd());
        unit.thresholdA().ifPresent(value -> node.put("thresholdA", value));
        unit.thresholdB().ifPresent(value -> node.put("thresholdB", value));
        node.put("resizeMode", unit.resizeMode().id());
        unit.processorRes().ifPresent(res -> node.put("processorRes", res));
    }
}
