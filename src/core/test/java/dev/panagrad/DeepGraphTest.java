package dev.panagrad;

import dev.panagrad.memory.Scope;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/** Deep graphs run without recursion; gradients and saved tensors are let go as soon as they are done with. */
class DeepGraphTest {

    @Test
    void aChainOf100000OpsRunsBackward() {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.of(DType.FLOAT64, new double[] {0.5}, 1).requiresGrad(true);
            Tensor y = x;
            double c = 1.000001, expected = 1;
            for (int i = 0; i < 50_000; i++) {
                y = y.mul(c).add(0.001);   // y_{i+1} = c y_i + 0.001, so dy/dx = c^n
                expected *= c;
            }
            y.sum().backward();
            assertEquals(expected, x.grad().item(), 1e-9 * expected);
        }
    }

    @Test
    void intermediateGradientsAreDroppedOnceConsumed() {
        int n = 40;
        Tensor x = Tensor.ones(DType.FLOAT64, 1000).requiresGrad(true);
        List<WeakReference<Tensor>> grads = new ArrayList<>();
        Tensor y = x;
        for (int i = 0; i < n; i++) {
            y = y.mul(1.5);
            y.registerHook(g -> {
                grads.add(new WeakReference<>(g));
                return null;
            });
        }
        int[] droppedAtTheEnd = new int[1];
        x.registerHook(g -> {
            // the last hook of the pass: every earlier gradient was consumed by now
            droppedAtTheEnd[0] = countCleared(grads, n - 2);
            return null;
        });
        y.sum().backward();
        assertEquals(n, grads.size());
        assertTrue(droppedAtTheEnd[0] >= n - 2, "cleared " + droppedAtTheEnd[0] + " of " + n);
    }

    @Test
    void savedTensorsAreReleasedAfterBackwardUnlessTheGraphIsRetained() {
        for (boolean retain : new boolean[] {false, true}) {
            Tensor x = Tensor.ones(DType.FLOAT64, 1000).requiresGrad(true);
            Tensor h = x.mul(2);
            Tensor out = h.sin().sum();   // SinBackward0 saves h; nothing else refers to it
            WeakReference<Tensor> saved = new WeakReference<>(h);
            h = null;
            assertFalse(cleared(saved), "the graph holds the saved tensor before backward");
            out.backward(null, retain, false);
            assertEquals(!retain, cleared(saved), "retainGraph=" + retain);
            assertNotNull(out.gradFn());
        }
    }

    private static boolean cleared(WeakReference<Tensor> ref) {
        return countCleared(List.of(ref), 1) == 1;
    }

    /** Collects garbage until at least {@code want} references are cleared (a few tries); returns how many are. */
    private static int countCleared(List<WeakReference<Tensor>> refs, int want) {
        BooleanSupplier enough = () -> refs.stream().filter(r -> r.get() == null).count() >= want;
        for (int i = 0; i < 5 && !enough.getAsBoolean(); i++) System.gc();
        return (int) refs.stream().filter(r -> r.get() == null).count();
    }
}
