package dev.panagrad;

import dev.panagrad.ops.Gradients;
import dev.panagrad.optim.SGD;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * A gradient dropped by {@code zeroGrad()} (set to none) lends its memory to the next backward only when nobody
 * outside the library was handed it: every gradient a caller holds keeps its values.
 */
class GradientReuseTest {

    /** d/dw sum(w * x) = x. */
    private static void backward(Tensor w, float[] x) {
        w.mul(Tensor.of(x, 2, 3)).sum().backward();
    }

    private static float[] data(int seed) {
        float[] x = new float[6];
        for (int i = 0; i < x.length; i++) x[i] = seed * 10 + i + 0.5f;
        return x;
    }

    @Test
    void aDroppedGradientNobodyHeldTakesTheNextGradient() {
        Tensor w = Tensor.zeros(2, 3).requiresGrad(true), twin = Tensor.zeros(2, 3).requiresGrad(true);
        SGD opt = new SGD(List.of(w), 0.1), twinOpt = new SGD(List.of(twin), 0.1);
        Tensor first = null;
        for (int step = 0; step < 4; step++) {
            backward(w, data(step));
            backward(twin, data(step));
            if (step == 1) first = Gradients.of(w);
            if (step > 1) assertSame(first, Gradients.of(w), "the dropped gradient's memory is reused");
            assertArrayEquals(data(step), Gradients.of(w).toFloatArray());
            opt.step();
            twinOpt.step();
            opt.zeroGrad();
            twinOpt.zeroGrad(false);
        }
        assertArrayEquals(twin.toFloatArray(), w.toFloatArray());
        backward(w, data(7));
        backward(w, data(8));   // accumulates into the reused gradient
        float[] sum = new float[6];
        for (int i = 0; i < 6; i++) sum[i] = data(7)[i] + data(8)[i];
        assertArrayEquals(sum, w.grad().toFloatArray());
    }

    @Test
    void aGradientHandedOutKeepsItsValues() {
        Tensor w = Tensor.zeros(2, 3).requiresGrad(true);
        SGD opt = new SGD(List.of(w), 0.1);
        backward(w, data(1));
        Tensor held = w.grad();
        opt.zeroGrad();
        backward(w, data(2));
        assertNotSame(held, Gradients.of(w));
        assertArrayEquals(data(1), held.toFloatArray());
        assertArrayEquals(data(2), w.grad().toFloatArray());
    }

    @Test
    void aGradientTheCallerSetIsNeverReused() {
        Tensor w = Tensor.zeros(2, 3).requiresGrad(true), mine = Tensor.of(data(3), 2, 3);
        w.setGrad(mine);
        Autograd.zeroGrad(w);
        backward(w, data(4));
        assertArrayEquals(data(3), mine.toFloatArray());
        assertArrayEquals(data(4), w.grad().toFloatArray());
    }

    @Test
    void aHookThatReadsTheGradientKeepsWhatItRead() {
        Tensor w = Tensor.zeros(2, 3).requiresGrad(true);
        SGD opt = new SGD(List.of(w), 0.1);
        List<Tensor> seen = new ArrayList<>();
        w.registerPostAccumulateGradHook(p -> seen.add(p.grad()));
        for (int step = 0; step < 3; step++) {
            backward(w, data(step));
            opt.step();
            opt.zeroGrad();
        }
        for (int step = 0; step < 3; step++) assertArrayEquals(data(step), seen.get(step).toFloatArray());
    }

    @Test
    void aDifferentiableGradientIsNeverReused() {
        Tensor w = Tensor.zeros(2, 3).requiresGrad(true);
        w.mul(w).mul(Tensor.of(data(1), 2, 3)).sum().backward(Tensor.scalar(DType.FLOAT32, 1), true);
        Tensor first = Gradients.of(w);   // 2 w x: zero, with a graph behind it
        Autograd.zeroGrad(w);
        backward(w, data(2));
        assertNotSame(first, Gradients.of(w));
        assertArrayEquals(new float[6], first.detach().toFloatArray());
        assertArrayEquals(data(2), w.grad().toFloatArray());
    }
}
