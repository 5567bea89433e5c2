package dev.panagrad;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Gradient hooks on tensors (observing, replacing, removable) and hooks after accumulation on leaves. */
class HooksTest {

    private static Tensor vec(double... v) {
        return Tensor.of(DType.FLOAT64, v, v.length);
    }

    @Test
    void aHookOnANonLeafCanReplaceTheGradientAndBeRemoved() {
        Tensor x = vec(1, 2).requiresGrad(true);
        Tensor h = x.mul(3);
        Runnable remove = h.registerHook(g -> g.mul(10));
        h.sum().backward();   // dh/dx = 3, the hook scales dL/dh by 10
        assertArrayEquals(new double[] {30, 30}, x.grad().toDoubleArray());
        remove.run();
        x.setGrad(null);
        Tensor h2 = x.mul(3);
        h2.sum().backward();
        assertArrayEquals(new double[] {3, 3}, x.grad().toDoubleArray());
    }

    @Test
    void aHookThatReturnsNullOnlyObserves() {
        Tensor x = vec(1, 2).requiresGrad(true);
        Tensor h = x.square();
        List<double[]> seen = new ArrayList<>();
        h.registerHook(g -> {
            seen.add(g.toDoubleArray());
            return null;
        });
        h.mul(vec(5, 7)).sum().backward();
        assertArrayEquals(new double[] {5, 7}, seen.get(0));
        assertArrayEquals(new double[] {10, 28}, x.grad().toDoubleArray());   // 2x * [5, 7]
    }

    @Test
    void aHookOnALeafReplacesWhatIsAccumulated() {
        Tensor w = vec(1, 2).requiresGrad(true);
        Runnable remove = w.registerHook(g -> g.neg());
        w.mul(4).sum().backward();
        assertArrayEquals(new double[] {-4, -4}, w.grad().toDoubleArray());
        remove.run();
        w.mul(4).sum().backward();
        assertArrayEquals(new double[] {0, 0}, w.grad().toDoubleArray());
    }

    @Test
    void aLeafHookSeesTheSumOfAllPathsOncePerBackward() {
        Tensor w = vec(1).requiresGrad(true);
        List<Double> seen = new ArrayList<>();
        w.registerHook(g -> {
            seen.add(g.item());
            return null;
        });
        w.mul(2).add(w.mul(3)).sum().backward();
        assertEquals(List.of(5.0), seen);
    }

    @Test
    void leafHooksApplyToGradResultsToo() {
        Tensor w = vec(1, 2).requiresGrad(true);
        w.registerHook(g -> g.mul(2));
        Tensor[] g = Autograd.grad(new Tensor[] {w.sum()}, new Tensor[] {w}, null, false, false, false);
        assertArrayEquals(new double[] {2, 2}, g[0].toDoubleArray());
        assertNull(w.grad());
    }

    @Test
    void postAccumulateHooksSeeTheAccumulatedGradient() {
        Tensor w = vec(1, 2).requiresGrad(true);
        List<double[]> seen = new ArrayList<>();
        Runnable remove = w.registerPostAccumulateGradHook(t -> seen.add(t.grad().toDoubleArray()));
        w.mul(2).sum().backward();
        w.mul(3).sum().backward();
        assertEquals(2, seen.size());
        assertArrayEquals(new double[] {2, 2}, seen.get(0));
        assertArrayEquals(new double[] {5, 5}, seen.get(1));
        remove.run();
        w.sum().backward();
        assertEquals(2, seen.size());
    }

    @Test
    void hooksNeedATensorThatRequiresGrad() {
        Tensor c = vec(1);
        assertThrows(IllegalStateException.class, () -> c.registerHook(g -> g));
        Tensor x = vec(1).requiresGrad(true);
        Tensor y = x.mul(2);
        assertThrows(IllegalStateException.class, () -> y.registerPostAccumulateGradHook(t -> { }));
    }
}
