package dev.diffarm.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.diffarm.engine.random.TorchGenerator;
import dev.diffarm.engine.safetensors.SafetensorsWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A state saved in the first layout (LoRA runs before the fine-tune plugins) still reads, as a lora state. */
class TrainingStateTest {
    @TempDir
    Path dir;

    @Test
    void theFirstLayoutReadsAsALoraState() throws Exception {
        TorchGenerator.State g = new TorchGenerator(3).state();
        SafetensorsWriter writer = new SafetensorsWriter()
                .add("lora.mid_block.attentions.0.proj_in.down", new float[] {1, 2}, 1, 2)
                .add("lora.mid_block.attentions.0.proj_in.up", new float[] {3, 4}, 2, 1)
                .add("lora.mid_block.attentions.0.proj_in.alpha", new float[] {1})
                .add("adam.m.0000", new float[] {0.1f, 0.2f}, 1, 2)
                .add("adam.v.0000", new float[] {0.3f, 0.4f}, 1, 2)
                .add("generator.twister", Arrays.stream(g.twister()).asLongStream().toArray(), g.twister().length)
                .add("data.order", new long[] {2, 0, 1, 3}, 4);
        writer.metadata("step", "3").metadata("adam_steps", "3").metadata("seed", "1361")
                .metadata("generator_cached_normal", "0.0").metadata("generator_has_cached_normal", "false")
                .metadata("data_epoch", "1").metadata("data_position", "2");
        Path folder = TrainingState.folder(dir, 3);
        java.nio.file.Files.createDirectories(folder);
        writer.write(folder.resolve(TrainingState.FILE));

        TrainingState.Saved saved = TrainingState.read(folder);
        assertEquals("lora", saved.method());
        assertEquals(3, saved.step());
        assertEquals(List.of("mid_block.attentions.0.proj_in.down", "mid_block.attentions.0.proj_in.up"),
                List.copyOf(saved.parameters().keySet()));
        assertArrayEquals(new float[] {3, 4}, saved.parameters().get("mid_block.attentions.0.proj_in.up"));
        assertArrayEquals(new long[] {1, 2, 2, 0, 1, 3}, saved.dataPosition(), "epoch, position, order");
        assertEquals(1, saved.adamM().size());
    }
}
