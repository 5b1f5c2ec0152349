package dev.diffarm.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/**
 * One textual-inversion step ({@code train-ti-step.safetensors}): the gradient through the embedding lookup into the
 * grown token-embedding matrix (non-zero exactly on the rows of the tokens used), one AdamW step over the whole matrix
 * and the restore rule of diffusers' {@code textual_inversion.py}.
 */
class TextualInversionStepParityTest {
    @Test
    void gradientAdamWAndRestoreRule() {
        try (StableDiffusion model = StableDiffusion.load(Fixtures.sdTiny("model"), Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment());
             SafetensorsFile ti = SafetensorsFile.open(Fixtures.sdTiny("train-ti-step.safetensors"));
             SafetensorsFile te = SafetensorsFile.open(Fixtures.sdTiny("model/text_encoder/model.safetensors"));
             NDManager manager = NDManager.newBaseManager()) {
            NDArray vocabulary = te.load("text_model.embeddings.token_embedding.weight", manager);
            int vocab = (int) vocabulary.getShape().get(0);
            int d = (int) vocabulary.getShape().get(1);
            int initializer = (int) ti.longs("initializer_token_id")[0];
            long[] newIds = ti.longs("placeholder_token_ids");
            assertArrayEquals(new long[] {vocab, vocab + 1}, newIds, "the new tokens follow the vocabulary");
            NDArray matrix = TokenEmbeddingTraining.grow(vocabulary, initializer, 2, manager);
            float[] before = matrix.toFloatArray();
            Parity.assertClose("init_vectors", ti.floats("init_vectors"), Arrays.copyOfRange(before, vocab * d, (vocab + 2) * d), 0);

            NDArray ids = manager.create(ti.longs("input_ids"), new ai.djl.ndarray.types.Shape(2, 77));
            NoiseObjective objective = new NoiseObjective(NoiseObjective.Prediction.EPSILON, OptionalDouble.empty(),
                    dev.diffarm.engine.schedule.TrainingSchedule.of(model.schedulerConfig("DDPMScheduler",
                            java.util.Map.of())).alphasCumprod());
            long[] timesteps = ti.longs("timesteps");
            NDArray noise = ti.load("noise", manager);
            NDArray noisy = objective.addNoise(ti.load("latents", manager), noise, timesteps);
            Parity.assertClose("noisy_latents", ti.floats("noisy_latents"), noisy.toFloatArray(), 1e-6);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray hidden = TokenEmbeddingTraining.encode(model.textModel(), matrix, ids);
                NDArray pred = model.unet().forward(noisy, HostModel.asFloats(timesteps), hidden);
                NDArray loss = objective.loss(pred, noise, timesteps);
                collector.backward(loss);
                Parity.assertClose("encoder_hidden_states", ti.floats("encoder_hidden_states"), hidden.toFloatArray(), 1e-4);
                Parity.assertClose("model_pred", ti.floats("model_pred"), pred.toFloatArray(), 1e-4);
                Parity.assertClose("loss", ti.floats("loss"), new float[] {loss.getFloat()}, 1e-4);
            }
            float[] grad = matrix.getGradient().toFloatArray();
            Parity.assertClose("grad_new_rows", ti.floats("grad_new_rows"), Arrays.copyOfRange(grad, vocab * d, (vocab + 2) * d), 1e-4);
            long[] otherIds = ti.longs("grad_other_used_ids");
            float[] otherRows = rows(grad, otherIds, d);
            Parity.assertClose("grad_other_used_rows", ti.floats("grad_other_used_rows"), otherRows, 1e-4);
            java.util.Set<Long> used = new java.util.HashSet<>();
            Arrays.stream(otherIds).forEach(used::add);
            Arrays.stream(newIds).forEach(used::add);
            for (int row = 0; row < vocab + 2; row++) {
                if (!used.contains((long) row)) {
                    assertArrayEquals(new float[d], rowOf(grad, row, d), "gradient of unused row " + row);
                }
            }

            try (AdamW adam = AdamW.withDefaults(List.of(matrix), manager)) {
                adam.step(List.of(matrix), List.of(matrix.getGradient()), ti.floats("lr")[0]);
            }
            float[] stepped = matrix.toFloatArray();
            Parity.assertClose("row_before_restore.initializer", ti.floats("row_before_restore.initializer"),
                    rows(stepped, new long[] {initializer}, d), 1e-4);
            Parity.assertClose("rows_before_restore.other_used", ti.floats("rows_before_restore.other_used"),
                    rows(stepped, otherIds, d), 1e-4);
            TokenEmbeddingTraining.restoreOtherRows(matrix, before, newIds[0], newIds[1]);
            float[] restored = matrix.toFloatArray();
            assertArrayEquals(Arrays.copyOf(before, vocab * d), Arrays.copyOf(restored, vocab * d),
                    "every ordinary row is back, bit for bit");
            Parity.assertClose("new_vectors", ti.floats("new_vectors"),
                    Arrays.copyOfRange(restored, vocab * d, (vocab + 2) * d), 1e-4);
            float[] check = TokenEmbeddingTraining.encode(model.textModel(), matrix, ids.get(0).reshape(1, 77)).toFloatArray();
            Parity.assertClose("check.hidden_prompt0", ti.floats("check.hidden_prompt0"), check, 1e-4);
        }
    }

    private static float[] rowOf(float[] matrix, int row, int d) {
        return Arrays.copyOfRange(matrix, row * d, (row + 1) * d);
    }

    private static float[] rows(float[] matrix, long[] ids, int d) {
        float[] out = new float[ids.length * d];
        for (int i = 0; i < ids.length; i++) {
            System.arraycopy(matrix, (int) ids[i] * d, out, i * d, d);
        }
        return out;
    }
}
