package dev.panagrad;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** backward(gradient) and Autograd.grad: shapes, unused inputs, retained and recorded graphs. */
class AutogradGradTest {

    private static Tensor vec(double... v) {
        return Tensor.of(DType.FLOAT64, v, v.length);
    }

    @Test
    void backwardOfANonScalarNeedsAGradient() {
        Tensor x = vec(1, 2, 3).requiresGrad(true);
        Tensor y = x.mul(2);
        var e = assertThrows(IllegalArgumentException.class, y::backward);
        assertTrue(e.getMessage().contains("grad can be implicitly created only for scalar outputs"), e.getMessage());
        y.backward(vec(0.1, 1.0, 0.001));   // v^T J with J = 2I
        assertArrayEquals(new double[] {0.2, 2.0, 0.002}, x.grad().toDoubleArray(), 1e-15);
    }

    @Test
    void backwardChecksTheGradientShape() {
        Tensor x = vec(1, 2, 3).requiresGrad(true);
        Tensor y = x.mul(2);
        var e = assertThrows(IllegalArgumentException.class, () -> y.backward(vec(1, 1)));
        assertTrue(e.getMessage().contains("mismatch in shape"), e.getMessage());
        assertTrue(e.getMessage().contains("[2]") && e.getMessage().contains("[3]"), e.getMessage());
        assertNull(x.grad());
    }

    @Test
    void gradReturnsGradientsWithoutTouchingGrad() {
        Tensor a = vec(1, 2).requiresGrad(true);
        Tensor b = vec(3, 4).requiresGrad(true);
        Tensor y = a.mul(b).sum();   // dy/da = b, dy/db = a
        Tensor[] g = Autograd.grad(new Tensor[] {y}, new Tensor[] {a, b}, null, false, false, false);
        assertArrayEquals(new double[] {3, 4}, g[0].toDoubleArray());
        assertArrayEquals(new double[] {1, 2}, g[1].toDoubleArray());
        assertNull(a.grad());
        assertNull(b.grad());
    }

    @Test
    void gradOfSeveralOutputsWeightedByGradOutputs() {
        Tensor x = vec(1, 2).requiresGrad(true);
        Tensor y1 = x.square();   // dy1/dx = 2x
        Tensor y2 = x.mul(3);     // dy2/dx = 3
        Tensor[] g = Autograd.grad(new Tensor[] {y1, y2}, new Tensor[] {x}, new Tensor[] {vec(1, 10), vec(2, 2)},
                false, false, false);
        // 2x * [1, 10] + 3 * [2, 2] = [2 + 6, 40 + 6]
        assertArrayEquals(new double[] {8, 46}, g[0].toDoubleArray());
    }

    @Test
    void gradWithRespectToAnIntermediateTensor() {
        Tensor x = vec(1, 2).requiresGrad(true);
        Tensor h = x.mul(2);
        Tensor y = h.square().sum();   // dy/dh = 2h = 4x
        Tensor[] g = Autograd.grad(new Tensor[] {y}, new Tensor[] {h}, null, false, false, false);
        assertArrayEquals(new double[] {4, 8}, g[0].toDoubleArray());
        assertNull(x.grad());
    }

    @Test
    void unusedInputsFailUnlessAllowed() {
        Tensor x = vec(1, 2).requiresGrad(true);
        Tensor unused = vec(5).requiresGrad(true);
        Tensor y = x.sum();
        var e = assertThrows(IllegalStateException.class, () -> Autograd.grad(new Tensor[] {y},
                new Tensor[] {x, unused}, null, true, false, false));
        assertTrue(e.getMessage().contains("appears to not have been used in the graph"), e.getMessage());
        Tensor[] g = Autograd.grad(new Tensor[] {y}, new Tensor[] {x, unused}, null, false, false, true);
        assertArrayEquals(new double[] {1, 1}, g[0].toDoubleArray());
        assertNull(g[1]);
    }

    @Test
    void gradWithoutRetainGraphFreesTheGraph() {
        Tensor x = vec(0.5).requiresGrad(true);
        Tensor y = x.sin().sum();
        Autograd.grad(new Tensor[] {y}, new Tensor[] {x}, null, false, false, false);
        var e = assertThrows(IllegalStateException.class,
                () -> Autograd.grad(new Tensor[] {y}, new Tensor[] {x}, null, false, false, false));
        assertTrue(e.getMessage().contains("a second time"), e.getMessage());
    }

    @Test
    void createGraphGivesDifferentiableGradients() {
        Tensor x = Tensor.of(2.0).to(DType.FLOAT64).requiresGrad(true);
        Tensor y = x.pow(3);
        Tensor dy = Autograd.grad(y, x, true)[0];     // 3x^2 = 12
        Tensor d2y = Autograd.grad(dy, x, true)[0];   // 6x = 12
        Tensor d3y = Autograd.grad(d2y, x, false)[0]; // 6
        assertEquals(12, dy.item(), 1e-12);
        assertEquals(12, d2y.item(), 1e-12);
        assertEquals(6, d3y.item(), 1e-12);
        assertTrue(dy.requiresGrad());
        assertFalse(d3y.requiresGrad());
    }

    @Test
    void backwardWithCreateGraphMakesLeafGradientsDifferentiable() {
        Tensor x = vec(1, 2).requiresGrad(true);
        x.pow(3).sum().backward(null, false, true);   // x.grad = 3x^2
        Tensor g = x.grad();
        assertTrue(g.requiresGrad());
        Tensor[] gg = Autograd.grad(new Tensor[] {g.sum()}, new Tensor[] {x}, null, false, false, false);
        assertArrayEquals(new double[] {6, 12}, gg[0].toDoubleArray(), 1e-12);   // 6x
    }

    @Test
    void gradRequiresInputsThatRequireGrad() {
        Tensor x = vec(1).requiresGrad(true);
        Tensor c = vec(1);
        var e = assertThrows(IllegalArgumentException.class,
                () -> Autograd.grad(new Tensor[] {x.sum()}, new Tensor[] {c}, null, false, false, true));
        assertTrue(e.getMessage().contains("does not require grad"), e.getMessage());
    }
}
