package dev.diffarm.api.finetune;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * What the host prepared for one micro-batch.
 *
 * @param noisy         the noisy latents [b, C, h, w] at {@code timesteps}
 * @param target        what the prediction is compared with (the noise, or v)
 * @param timesteps     each example's training timestep
 * @param captions      each example's caption, to be encoded by the method
 * @param priorExamples how many examples at the end of the batch are class examples for prior preservation (0: none);
 *                      the batch then holds instance and class examples in two halves
 */
public record MicroBatch(NDArray noisy, NDArray target, long[] timesteps, List<String> captions, int priorExamples) {
    public MicroBatch {
        long b = noisy.getShape().get(0);
        if (timesteps.length != b || captions.size() != b) {
            throw new IllegalArgumentException("a micro-batch of " + b + " latents has " + timesteps.length
                    + " timesteps and " + captions.size() + " captions");
        }
        if (priorExamples < 0 || priorExamples > b) {
            throw new IllegalArgumentException("priorExamples: expected 0 to " + b + ", got " + priorExamples);
        }
        timesteps = timesteps.clone();
        captions = List.copyOf(captions);
    }

    @Override
    public long[] timesteps() {
        return timesteps.clone();
    }

    /** The first {@code n} examples' part of {@code array} (instance examples, with prior preservation). */
    public static NDArray head(NDArray array, int n) {
        return array.get("0:" + n);
    }

    /** The examples' part of {@code array} from {@code n} on (class examples, with prior preservation). */
    public static NDArray tail(NDArray array, int n) {
        return array.get(n + ":");
    }
}
