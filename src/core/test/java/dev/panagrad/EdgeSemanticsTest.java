package dev.panagrad;

import dev.panagrad.autograd.Gradcheck;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * PyTorch's autograd semantics at the edges: retainGrad on leaves, backward's retainGraph default,
 * accumulation with createGraph, gradients of max/min over ties and NaN, pow at zero, Autograd.grad's
 * options, and one exception type per kind of error. Expected values follow from PyTorch's documented
 * formulas, stated next to each.
 */
class EdgeSemanticsTest {

    private static Tensor vec(double... v) {
        return Tensor.ofDoubles(v);
    }

    @Test
    void retainGradOnALeafIsANoOp() {
        Tensor x = vec(1, 2).requiresGrad(true);
        assertSame(x, x.retainGrad());
        assertFalse(x.retainsGrad(), "PyTorch: x.retain_grad() on a leaf leaves x.retains_grad False");
        Tensor y = x.mul(2).retainGrad();
        assertTrue(y.retainsGrad());
        y.sum().backward();
        assertArrayEquals(new double[] {1, 1}, y.grad().toDoubleArray());
        assertArrayEquals(new double[] {2, 2}, x.grad().toDoubleArray());
    }

    @Test
    void aRetainedGradFollowsTheTensorThroughInPlaceOps() {
        // PyTorch moves the retains_grad hook to the new grad_fn: y.grad is the gradient of y's latest value
        Tensor x = vec(1, 2).requiresGrad(true);
        Tensor y = x.mul(1).retainGrad();
        y.mul_(2);
        y.mul(vec(3, 4)).sum().backward();
        assertArrayEquals(new double[] {3, 4}, y.grad().toDoubleArray());
        assertArrayEquals(new double[] {6, 8}, x.grad().toDoubleArray());
        Tensor base = vec(1, 2, 3).requiresGrad(true).mul(1);
        Tensor v = base.narrow(0, 0, 2).retainGrad();
        v.exp_();
        v.sum().backward();
        assertArrayEquals(new double[] {1, 1}, v.grad().toDoubleArray());
    }

    @Test
    void retainGraphDefaultsToCreateGraphAndGradKeepsItsHistory() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {2}, 1).requiresGrad(true);
        Tensor y = x.pow(3).sum();
        y.backward(null, true);                      // create_graph=True: the graph is retained as well
        assertNotNull(x.grad().gradFn(), "with createGraph, x.grad has a history");
        assertArrayEquals(new double[] {12}, x.grad().toDoubleArray());   // 3x^2
        y.backward(null, true);                      // a second pass over the same graph works
        assertArrayEquals(new double[] {24}, x.grad().toDoubleArray());
        assertNotNull(x.grad().gradFn(), "accumulating with createGraph keeps the history");
        Tensor g = x.grad();
        Tensor d2 = Autograd.grad(g.sum(), x)[0];    // d/dx (3x^2 + 3x^2) = 12x
        assertArrayEquals(new double[] {24}, d2.toDoubleArray());

        Tensor z = x.exp().sum();
        z.backward(null, false);
        var e = assertThrows(AutogradException.GraphReleased.class, () -> z.backward(null, false));
        assertTrue(e.getMessage().contains("Trying to backward through the graph a second time"), e.getMessage());
    }

    @Test
    void globalMaxAndMinShareTheGradientAmongTiesEvenly() {
        // PyTorch's evenly_distribute_backward: grad / count at each element equal to the result
        Tensor x = vec(1, 3, 3, 2, 3).requiresGrad(true);
        Tensor m = x.max();
        assertEquals("MaxBackward1", m.gradFn().name());
        m.backward();
        assertArrayEquals(new double[] {0, 1 / 3.0, 1 / 3.0, 0, 1 / 3.0}, x.grad().toDoubleArray(), 1e-15);
        Tensor w = vec(-1, 4, -1).requiresGrad(true);
        Tensor n = w.min();
        assertEquals("MinBackward1", n.gradFn().name());
        n.backward();
        assertArrayEquals(new double[] {0.5, 0, 0.5}, w.grad().toDoubleArray(), 1e-15);
        // a two-way tie is where central differences also give 1/2 to each
        Gradcheck.gradcheck(in -> in[0].max().mul(in[0].min()), vec(0.25, 0.25, -0.5, -0.5).requiresGrad(true));
        // second order away from ties, where it is defined
        Gradcheck.gradgradcheck(in -> in[0].max().mul(in[0].min()).mul(in[0].sum()),
                vec(0.25, 0.75, -0.5, -0.25).requiresGrad(true));
    }

    @Test
    void globalMaxOverNaNSharesTheGradientAmongTheNaNs() {
        // PyTorch: when the result is NaN the mask is isnan(input), so all-NaN inputs share the gradient evenly
        Tensor x = vec(Double.NaN, 1, Double.NaN, 5).requiresGrad(true);
        x.max().backward();
        assertArrayEquals(new double[] {0.5, 0, 0.5, 0}, x.grad().toDoubleArray(), 1e-15);
        Tensor all = vec(Double.NaN, Double.NaN, Double.NaN).requiresGrad(true);
        all.min().backward();
        assertArrayEquals(new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0}, all.grad().toDoubleArray(), 1e-15);
    }

    @Test
    void powAtZeroWithAZeroTensorExponentHasGradientZero() {
        // PyTorch's pow_backward_self: 0 where exponent == 0; pow_backward_exponent: 0 where base == 0, exponent >= 0
        Tensor x = vec(0, 2, 0).requiresGrad(true);
        Tensor y = vec(0, 3, 2).requiresGrad(true);
        x.pow(y).sum().backward();
        // d/dx x^y = y x^(y-1): [0 (exponent 0), 3 * 4, 2 * 0]; d/dy = x^y ln x: [0, 8 ln 2, 0]
        assertArrayEquals(new double[] {0, 12, 0}, x.grad().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {0, 8 * Math.log(2), 0}, y.grad().toDoubleArray(), 1e-12);
        Tensor z = vec(0, 1).requiresGrad(true);
        z.pow(0).sum().backward();
        assertArrayEquals(new double[] {0, 0}, z.grad().toDoubleArray());
        Gradcheck.gradcheck(in -> in[0].pow(in[1]), vec(0.5, 1.5).requiresGrad(true), vec(0.7, 2).requiresGrad(true));
        Gradcheck.gradgradcheck(in -> in[0].pow(in[1]), vec(0.5, 1.5).requiresGrad(true),
                vec(0.7, 2).requiresGrad(true));
    }

    @Test
    void stdOfEqualValuesHasGradientZeroNotNaN() {
        // PyTorch's std_backward masks the gradient where the result is 0 (else 0 / 0)
        Tensor x = vec(2, 2, 2).requiresGrad(true);
        x.std().backward();
        assertArrayEquals(new double[] {0, 0, 0}, x.grad().toDoubleArray());
    }

    @Test
    void fillAndCopyDoNotTurnInfinityIntoNaN() {
        // the old value is overwritten, never read: its gradient is exactly zero even where it was infinite
        Tensor x = vec(1, 2).requiresGrad(true);
        Tensor h = x.mul(Double.POSITIVE_INFINITY).retainGrad();
        Tensor k = h.mul(1);
        k.fill_(3);
        assertEquals("FillBackward0", k.gradFn().name());
        assertArrayEquals(new double[] {3, 3}, k.toDoubleArray(), "not inf * 0 + 3");
        k.sum().backward();
        assertArrayEquals(new double[] {0, 0}, h.grad().toDoubleArray());
        Tensor w = vec(1, 2).requiresGrad(true);
        Tensor c = w.mul(1);
        c.copy_(vec(7, 8));
        assertEquals("CopyBackwards", c.gradFn().name());
        c.sum().backward();
        assertArrayEquals(new double[] {0, 0}, w.grad().toDoubleArray(), "a constant copied over c cuts w off");
    }

    @Test
    void gradOverloadsAndOptions() {
        Tensor x = vec(1, 2).requiresGrad(true), w = vec(3, 4).requiresGrad(true);
        Tensor y = x.mul(x).sum();
        Tensor[] g = Autograd.grad(y, new Tensor[] {x, w}, GradOptions.DEFAULT.createGraph(true)
                .materializeGrads(true));
        assertArrayEquals(new double[] {2, 4}, g[0].toDoubleArray());   // 2x
        assertArrayEquals(new double[] {0, 0}, g[1].toDoubleArray());   // unused: zeros
        assertNotNull(g[0].gradFn());
        Tensor[] again = Autograd.grad(y, new Tensor[] {x, w}, GradOptions.DEFAULT.allowUnused(true));
        assertNull(again[1], "the graph was retained because createGraph was set; unused gives null");
        var e = assertThrows(AutogradException.UnusedInput.class, () -> Autograd.grad(x.sum(), x, w));
        assertTrue(e.getMessage().contains("appears to not have been used in the graph"), e.getMessage());
        Tensor[] both = Autograd.grad(new Tensor[] {x.sum(), w.sum()}, new Tensor[] {x, w});
        assertArrayEquals(new double[] {1, 1}, both[0].toDoubleArray());
        assertArrayEquals(new double[] {1, 1}, both[1].toDoubleArray());
        Tensor[] second = Autograd.grad(new Tensor[] {g[0].sum()}, new Tensor[] {x}, true);
        assertArrayEquals(new double[] {2, 2}, second[0].toDoubleArray());
    }

    @Test
    void backwardWithOptions() {
        Tensor x = vec(1, 2).requiresGrad(true);
        Tensor y = x.mul(x);
        Autograd.backward(new Tensor[] {y}, GradOptions.DEFAULT.gradOutputs(vec(1, 10)).retainGraph(true));
        Autograd.backward(new Tensor[] {y}, GradOptions.DEFAULT.gradOutputs(vec(1, 10)));
        assertArrayEquals(new double[] {4, 80}, x.grad().toDoubleArray());   // twice 2x * [1, 10]
    }

    @Test
    void eachKindOfErrorHasItsType() {
        assertThrows(AutogradException.NoGradient.class, () -> vec(1).sum().backward());
        Tensor leaf = vec(1).requiresGrad(true);
        assertThrows(AutogradException.InPlaceNotAllowed.class, () -> leaf.add_(1));
        try (var a = Anomaly.detect()) {
            Tensor x = vec(0).requiresGrad(true);
            var e = assertThrows(AutogradException.AnomalyDetected.class, () -> x.sqrt().mul(0).sum().backward());
            assertTrue(e.getMessage().contains("returned nan values"), e.getMessage());
        }
        // all are IllegalStateExceptions, so older catch blocks still work
        assertInstanceOf(IllegalStateException.class, new AutogradException.UnusedInput("m"));
    }
}
