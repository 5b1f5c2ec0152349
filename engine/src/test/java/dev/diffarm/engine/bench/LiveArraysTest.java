package dev.diffarm.engine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class LiveArraysTest {
    @Test
    void countsTheArraysOfEveryManagerUntilTheyAreClosed() {
        int before = LiveArrays.count();
        try (NDManager manager = NDManager.newBaseManager(); NDManager sub = manager.newSubManager()) {
            manager.zeros(new ai.djl.ndarray.types.Shape(2));
            NDArray closed = sub.ones(new ai.djl.ndarray.types.Shape(3));
            sub.ones(new ai.djl.ndarray.types.Shape(3));
            assertEquals(before + 3, LiveArrays.count());
            closed.close();
            assertEquals(before + 2, LiveArrays.count());
        }
        assertEquals(before, LiveArrays.count());
    }
}
