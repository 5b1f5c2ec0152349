package dev.diffarm.farm.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.Optional;

/**
 * The fields of a {@code dreambooth} train job, with diffusers' {@code train_dreambooth.py} defaults.
 *
 * @param instancePrompt  the prompt of the subject's images, with its rare token ({@code a photo of zwx dog})
 * @param classPrompt     the prompt of the class ({@code a photo of a dog}); empty for no prior preservation
 * @param priorLossWeight the weight of the class images' loss
 * @param numClassImages  how many class images prior preservation uses; the farm renders the missing ones
 * @param classDataset    a folder under the datasets root with class images of its own; empty: the farm's store
 * @param trainTextEncoder diffusers' {@code --train_text_encoder}: the text encoder is trained in full with the UNet
 *                        and saved in the checkpoint
 */
public record DreamBoothOptions(String instancePrompt, Optional<String> classPrompt, double priorLossWeight,
                                int numClassImages, Optional<String> classDataset, boolean trainTextEncoder) {
    /** diffusers' {@code --prior_loss_weight}. */
    public static final double PRIOR_LOSS_WEIGHT = 1.0;
    /** diffusers' {@code --num_class_images}. */
    public static final int NUM_CLASS_IMAGES = 100;

    public DreamBoothOptions {
        Rules.requireText(Rules.PROMPT, "instancePrompt", instancePrompt);
        Objects.requireNonNull(classPrompt, "classPrompt");
        classPrompt.ifPresent(prompt -> Rules.requireText(Rules.PROMPT, "classPrompt", prompt));
        Rules.PRIOR_LOSS_WEIGHT.require("priorLossWeight", priorLossWeight);
        Rules.NUM_CLASS_IMAGES.require("numClassImages", (long) numClassImages);
        Objects.requireNonNull(classDataset, "classDataset");
        classDataset.ifPresent(name -> Rules.DATASET.require("classDataset", name));
        if (classDataset.isPresent() && classPrompt.isEmpty()) {
            throw new IllegalArgumentException("classDataset: expected no class images without a classPrompt "
                    + "(prior preservation needs the class prompt)");
        }
    }

    /** Options with the text encoder frozen (diffusers' default). */
    public DreamBoothOptions(String instancePrompt, Optional<String> classPrompt, double priorLossWeight,
                             int numClassImages, Optional<String> classDataset) {
        this(instancePrompt, classPrompt, priorLossWeight, numClassImages, classDataset, false);
    }

    /** Whether the class keeps its meaning through prior preservation: a class prompt is given. */
    public boolean priorPreservation() {
        return classPrompt.isPresent();
    }

    void write(ObjectNode node) {
        node.put("instancePrompt", instancePrompt);
        classPrompt.ifPresent(prompt -> node.put("classPrompt", prompt));
        node.put("priorLossWeight", priorLossWeight);
        node.put("numClassImages", numClassImages);
        classDataset.ifPresent(name -> node.put("classDataset", name));
        if (trainTextEncoder) {
            // written only when set: a job without it keeps its parameter hash
            node.put("trainTextEncoder", true);
        }
    }
}
