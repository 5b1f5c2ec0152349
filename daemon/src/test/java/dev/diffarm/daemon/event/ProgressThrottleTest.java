package dev.diffarm.daemon.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressThrottleTest {
    @Test
    void admitsTheFirstStepTheLastAndOthersAtTheRate() {
        long[] now = {0};
        ProgressThrottle throttle = new ProgressThrottle(4, () -> now[0]);
        List<Integer> admitted = new ArrayList<>();
        // 20 steps, 100 ms apart: at 4 per second every third step after the first passes (0, 300, 600 ... ms).
        for (int step = 0; step < 20; step++) {
            now[0] = step * 100_000_000L;
            if (throttle.admit(step == 19)) {
                admitted.add(step);
            }
        }
        assertEquals(List.of(0, 3, 6, 9, 12, 15, 18, 19), admitted);
    }

    @Test
    void refusesARateThatAdmitsNothing() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ProgressThrottle(0, System::nanoTime));
        assertEquals("progress events per second = 0.0: expected more than 0", e.getMessage());
    }
}
