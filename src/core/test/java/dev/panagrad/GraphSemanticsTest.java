package dev.panagrad;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** How the graph is recorded and consumed: leaves, grad functions, dynamic structure, freeing, accumulation. */
class GraphSemanticsTest {

    @Test
    void requiresGradIsOffByDefaultAndSwitchedOnForLeaves() {
        Tensor x = Tensor.ones(DType.FLOAT64, 3);
        assertFalse(x.requiresGrad());
        assertSame(x, x.requiresGrad(true));
        assertTrue(x.requiresGrad());
        assertTrue(x.isLeaf());
        assertNull(x.gradFn());
        x.requiresGrad(false);
        assertFalse(x.requiresGrad());
    }

    @Test
    void onlyFloatingTensorsCanRequireGrad() {
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.arange(3).requiresGrad(true));
        assertTrue(e.getMessage().contains("only tensors of floating point dtype can require gradients"), e.getMessage());
    }

    @Test
    void switchingRequiresGradOffOnANonLeafFailsAsInPyTorch() {
        Tensor x = Tensor.ones(2).requiresGrad(true);
        Tensor y = x.mul(2);
        var e = assertThrows(IllegalStateException.class, () -> y.requiresGrad(false));
        assertTrue(e.getMessage().contains("you can only change requiresGrad flags of leaf variables"), e.getMessage());
        assertTrue(e.getMessage().contains("MulBackward0"), e.getMessage());
        // switching it on where it is already on changes nothing, as requires_grad_(True) in PyTorch
        assertSame(y, y.requiresGrad(true));
        assertEquals("MulBackward0", y.gradFn().name());
    }

    @Test
    void gradIsPopulatedOnlyOnLeavesAndRetainedNonLeaves() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 2}, 2).requiresGrad(true);
        Tensor h = x.mul(3);
        Tensor k = x.mul(5);
        h.retainGrad();
        Tensor loss = h.mul(k).sum();   // loss = 15 sum x^2: dloss/dh = k = 5x, dloss/dx = 30x
        loss.backward();
        assertArrayEquals(new double[] {30, 60}, x.grad().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {5, 10}, h.grad().toDoubleArray(), 1e-12);
        assertNull(k.grad());
        assertFalse(h.isLeaf());
        assertNull(x.gradFn());
    }

    @Test
    void gradFunctionsAreNamedLikePyTorchAndLinkToTheirInputs() {
        Tensor x = Tensor.of(2.0).requiresGrad(true);
        Tensor y = Tensor.of(3.0).requiresGrad(true);
        Tensor z = x.mul(x).add(y);
        assertEquals("AddBackward0", z.gradFn().name());
        List<Node> next = z.gradFn().nextFunctions();
        assertEquals("MulBackward0", next.get(0).name());
        assertEquals("AccumulateGrad", next.get(1).name());
    }

    @Test
    void javaLoopsAndConditionalsShapeTheGraph() {
        // f(x) = a chain where step i multiplies by x on even i and adds x on odd i, only while the value is < 50;
        // the derivative is carried alongside in plain doubles: (v, dv) -> (v x, dv x + v) or (v + x, dv + 1)
        double x0 = 2.0;
        Tensor x = Tensor.of(x0).to(DType.FLOAT64).requiresGrad(true);
        Tensor y = x;
        double v = x0, dv = 1;
        int steps = 0;
        for (int i = 0; i < 12 && y.item() < 50; i++, steps++) {   // the tensor's value decides
            if (i % 2 == 0) {
                y = y.mul(x);
                dv = dv * x0 + v;
                v = v * x0;
            } else {
                y = y.add(x);
                dv = dv + 1;
                v = v + x0;
            }
        }
        assertEquals(7, steps, "2 -> 4 -> 6 -> 12 -> 14 -> 28 -> 30 -> 60 stops the loop");
        assertEquals(steps % 2 == 1 ? "MulBackward0" : "AddBackward0", y.gradFn().name());
        assertEquals(v, y.item(), 1e-9);
        y.backward();
        assertEquals(dv, x.grad().item(), 1e-9);
    }

    @Test
    void aSecondBackwardThroughAFreedGraphFails() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {0.5, 1.5}, 2).requiresGrad(true);
        Tensor y = x.exp().sum();   // ExpBackward0 saves its result
        y.backward();
        var e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("Trying to backward through the graph a second time"), e.getMessage());
        assertTrue(e.getMessage().contains("ExpBackward0"), e.getMessage());
    }

    @Test
    void retainGraphAllowsASecondBackwardThatAccumulates() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {0.5, 1.5}, 2).requiresGrad(true);
        Tensor y = x.exp().sum();   // dy/dx = exp(x)
        y.backward(null, true, false);
        y.backward();
        assertArrayEquals(new double[] {2 * Math.exp(0.5), 2 * Math.exp(1.5)}, x.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void aGraphThatSavedNothingCanBeBackwardedAgainAsInPyTorch() {
        Tensor x = Tensor.of(1.0).requiresGrad(true);
        Tensor y = x.add(1).sub(3);   // AddBackward0 and SubBackward0 save no tensors
        y.backward();
        y.backward();
        assertEquals(2.0, x.grad().item());
    }

    @Test
    void gradientsAccumulateUntilZeroed() {
        Tensor w = Tensor.of(DType.FLOAT64, new double[] {1, -2}, 2).requiresGrad(true);
        for (int i = 1; i <= 3; i++) {
            w.mul(w).sum().backward();   // d(sum w^2)/dw = 2w, once per call
            assertArrayEquals(new double[] {2 * i, -4 * i}, w.grad().toDoubleArray(), 1e-12);
        }
        Autograd.zeroGrad(List.of(w), false);
        assertArrayEquals(new double[] {0, 0}, w.grad().toDoubleArray());
        w.mul(3).sum().backward();
        assertArrayEquals(new double[] {3, 3}, w.grad().toDoubleArray());
        Autograd.zeroGrad(w);
        assertNull(w.grad());
    }

    @Test
    void zeroGradInPlaceDetachesAGradientThatHasAGraph() {
        Tensor w = Tensor.of(DType.FLOAT64, new double[] {1, 2}, 2).requiresGrad(true);
        w.pow(3).sum().backward(null, false, true);   // grad = 3w^2, itself differentiable
        assertNotNull(w.grad().gradFn());
        Autograd.zeroGrad(List.of(w), false);
        assertNull(w.grad().gradFn());
        assertArrayEquals(new double[] {0, 0}, w.grad().toDoubleArray());
    }

    @Test
    void backwardFromALeafGivesItsOwnGradient() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 2}, 2).requiresGrad(true);
        x.backward(Tensor.of(DType.FLOAT64, new double[] {4, 5}, 2));
        assertArrayEquals(new double[] {4, 5}, x.grad().toDoubleArray());
    }

    @Test
    void backwardOnATensorWithoutGradFails() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 2}, 2);
        var e = assertThrows(IllegalStateException.class, () -> x.sum().backward());
        assertTrue(e.getMessage().contains("does not require grad"), e.getMessage());
    }

    @Test
    void detachedTensorsStartNewLeaves() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 2}, 2).requiresGrad(true);
        Tensor y = x.mul(2).detach().requiresGrad(true);
        y.mul(x).sum().backward();   // y is a constant for x: d/dx = y = 2x; d/dy = x
        assertArrayEquals(new double[] {2, 4}, x.grad().toDoubleArray());
        assertArrayEquals(new double[] {1, 2}, y.grad().toDoubleArray());
    }
}
