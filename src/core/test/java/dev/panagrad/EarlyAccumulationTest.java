package dev.panagrad;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Backward accumulates a leaf's gradient as soon as no node still to run can send it more, so post-accumulate
 * hooks (data-parallel all-reduce) start while the earlier layers' backward still runs.
 */
class EarlyAccumulationTest {

    @Test
    void theLastLayersLeafIsAccumulatedBeforeTheFirstLayersBackwardRuns() {
        // y = sum(w2 * relu(w1 * x)): backward reaches w2 first, then w1
        Tensor x = Tensor.of(new double[] {1, -2, 3}, 3);
        Tensor w1 = Tensor.of(new double[] {2, 2, 2}, 3).requiresGrad(true);
        Tensor w2 = Tensor.of(new double[] {5, 6, 7}, 3).requiresGrad(true);
        List<String> events = new ArrayList<>();
        w2.registerPostAccumulateGradHook(t -> events.add("w2 accumulated, w1.grad " + (w1.grad() == null ? "absent" : "set")));
        w1.registerPostAccumulateGradHook(t -> events.add("w1 accumulated"));
        Tensor h = w1.mul(x);
        h.registerHook(g -> {
            events.add("backward of w1 * x");
            return null;
        });
        w2.mul(h.relu()).sum().backward();
        assertEquals(List.of("w2 accumulated, w1.grad absent", "backward of w1 * x", "w1 accumulated"), events);
        // dy/dw2 = relu(w1 x) = [2, 0, 6]; dy/dw1 = w2 * x * (w1 x > 0) = [5, 0, 21]
        assertArrayEquals(new double[] {2, 0, 6}, w2.grad().toDoubleArray(), 0);   // 0 == -0
        assertArrayEquals(new double[] {5, 0, 21}, w1.grad().toDoubleArray(), 0);
    }

    @Test
    void aLeafUsedTwiceIsAccumulatedOnceWithTheSum() {
        // y = sum(w * x) + sum(w * w): dy/dw = x + 2w = [1 + 4, 2 + 6]
        Tensor x = Tensor.of(new double[] {1, 2}, 2);
        Tensor w = Tensor.of(new double[] {2, 3}, 2).requiresGrad(true);
        int[] calls = new int[1];
        w.registerPostAccumulateGradHook(t -> calls[0]++);
        w.mul(x).sum().add(w.mul(w).sum()).backward();
        assertEquals(1, calls[0]);
        assertArrayEquals(new double[] {5, 8}, w.grad().toDoubleArray());
    }
}
