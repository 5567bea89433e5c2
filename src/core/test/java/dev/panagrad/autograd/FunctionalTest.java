package dev.panagrad.autograd;

import dev.panagrad.DType;
import dev.panagrad.Autograd;
import dev.panagrad.AutogradException;
import dev.panagrad.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** vjp, jvp, jacobian, hessian and hvp in float64 against analytic results. */
class FunctionalTest {

    private static Tensor vec(double... v) {
        return Tensor.of(DType.FLOAT64, v, v.length);
    }

    private static Tensor mat(int rows, double... v) {
        return Tensor.of(DType.FLOAT64, v, rows, v.length / rows);
    }

    private static final Tensor A = mat(2, 1, 2, 3, 4);

    private static void assertClose(double[] expected, Tensor actual) {
        assertArrayEquals(expected, actual.toDoubleArray(), 1e-10);
    }

    @Test
    void vjpOfAnElementwiseSquare() {
        Tensor x = vec(1, -2, 3);
        Functional.Result r = Functional.vjp(t -> t.square(), x, vec(1, 10, 100));
        assertClose(new double[] {1, 4, 9}, r.output());
        assertClose(new double[] {2, -40, 600}, r.value());   // v * 2x
        assertFalse(r.value().requiresGrad());
        assertFalse(x.requiresGrad(), "the input is not turned into a leaf that requires grad");
    }

    @Test
    void vjpOfAProductOfTwoInputs() {
        Tensor a = vec(1, 2), b = vec(3, 4);
        Functional.Result r = Functional.vjp(in -> new Tensor[] {in[0].mul(in[1])}, new Tensor[] {a, b},
                new Tensor[] {vec(1, -1)}, false);
        assertClose(new double[] {3, -4}, r.values()[0]);   // v * b
        assertClose(new double[] {1, -2}, r.values()[1]);   // v * a
    }

    @Test
    void jvpOfSine() {
        Tensor x = vec(0.1, 0.7);
        Functional.Result r = Functional.jvp(Tensor::sin, x, vec(2, 3));
        assertClose(new double[] {2 * Math.cos(0.1), 3 * Math.cos(0.7)}, r.value());   // cos(x) * v
    }

    @Test
    void jvpWithSeveralInputsAndOutputs() {
        Tensor a = vec(1, 2), b = vec(3, 4);
        Tensor va = vec(1, 0), vb = vec(0.5, 2);
        Functional.Result r = Functional.jvp(in -> new Tensor[] {in[0].mul(in[1]), in[0].add(in[1])},
                new Tensor[] {a, b}, new Tensor[] {va, vb}, false);
        // d(ab) = b da + a db; d(a + b) = da + db
        assertClose(new double[] {3 * 1 + 1 * 0.5, 4 * 0 + 2 * 2}, r.values()[0]);
        assertClose(new double[] {1.5, 2}, r.values()[1]);
    }

    @Test
    void jacobianOfAMatrixVectorProductIsTheMatrix() {
        Tensor x = vec(0.3, -0.7);
        Tensor j = Functional.jacobian(t -> A.matmul(t), x);
        assertArrayEquals(new long[] {2, 2}, j.shape());
        assertClose(A.toDoubleArray(), j);
    }

    @Test
    void jacobianOfExpIsDiagonal() {
        Tensor x = vec(0.5, 1.0, -1.0);
        Tensor j = Functional.jacobian(Tensor::exp, x);
        double e0 = Math.exp(0.5), e1 = Math.exp(1.0), e2 = Math.exp(-1.0);
        assertClose(new double[] {e0, 0, 0, 0, e1, 0, 0, 0, e2}, j);
    }

    @Test
    void jacobianBlocksHaveOutputShapeThenInputShape() {
        Tensor a = mat(2, 1, 2, 3, 4), b = vec(5, 6);
        Tensor[][] j = Functional.jacobian(in -> new Tensor[] {in[0].matmul(in[1]), in[0].sum()}, new Tensor[] {a, b},
                false);
        assertArrayEquals(new long[] {2, 2, 2}, j[0][0].shape());   // d(a b)_i / d a_kl = [i == k] b_l
        assertClose(new double[] {5, 6, 0, 0, 0, 0, 5, 6}, j[0][0]);
        assertClose(new double[] {1, 2, 3, 4}, j[0][1]);            // d(a b)/db = a
        assertArrayEquals(new long[] {2, 2}, j[1][0].shape());      // scalar output: the input's shape
        assertClose(new double[] {1, 1, 1, 1}, j[1][0]);
        assertClose(new double[] {0, 0}, j[1][1]);                  // sum(a) does not use b
    }

    @Test
    void hessianOfASumOfCubesIsDiagonal() {
        Tensor x = vec(1, -2);
        Tensor h = Functional.hessian(t -> t.pow(3).sum(), x);
        assertClose(new double[] {6, 0, 0, -12}, h);   // diag(6x)
    }

    @Test
    void hessianOfAQuadraticForm() {
        Tensor x = vec(0.4, 1.1);
        Tensor h = Functional.hessian(t -> t.matmul(A.matmul(t)), x);
        assertClose(new double[] {2, 5, 5, 8}, h);     // A + A^T
    }

    @Test
    void hessianBlocksOfTwoInputs() {
        Tensor a = vec(1, 2), b = vec(3, 4);
        Tensor[][] h = Functional.hessian(in -> in[0].mul(in[1].square()).sum(), new Tensor[] {a, b}, false);
        // f = sum a_i b_i^2: d2f/da2 = 0, d2f/da db = diag(2b), d2f/db2 = diag(2a)
        assertClose(new double[] {0, 0, 0, 0}, h[0][0]);
        assertClose(new double[] {6, 0, 0, 8}, h[0][1]);
        assertClose(new double[] {6, 0, 0, 8}, h[1][0]);
        assertClose(new double[] {2, 0, 0, 4}, h[1][1]);
    }

    @Test
    void hvpOfAQuadraticForm() {
        Tensor x = vec(0.4, 1.1), v = vec(1, -1);
        Functional.Result r = Functional.hvp(t -> t.matmul(A.matmul(t)), x, v);
        assertClose(new double[] {2 - 5, 5 - 8}, r.value());   // (A + A^T) v
        double fx = 0.4 * (1 * 0.4 + 2 * 1.1) + 1.1 * (3 * 0.4 + 4 * 1.1);
        assertEquals(fx, r.output().item(), 1e-12);
    }

    @Test
    void createGraphKeepsResultsDifferentiable() {
        Tensor x = vec(1, 2).requiresGrad(true);
        Tensor j = Functional.jacobian(in -> new Tensor[] {in[0].pow(3)}, new Tensor[] {x}, true)[0][0];
        assertTrue(j.requiresGrad());
        // J = diag(3x^2), trace(J) = 3 sum x^2, d trace / dx = 6x
        Tensor trace = j.mul(Tensor.eye(dev.panagrad.DType.FLOAT64, 2, 2)).sum();
        Tensor g = Autograd.grad(new Tensor[] {trace}, new Tensor[] {x}, null, false, false, false)[0];
        assertClose(new double[] {6, 12}, g);
    }

    @Test
    void unusedInputsGetZeros() {
        Tensor a = vec(1, 2), b = vec(3);
        Functional.Result r = Functional.vjp(in -> new Tensor[] {in[0].mul(2)}, new Tensor[] {a, b},
                new Tensor[] {vec(1, 1)}, false);
        assertClose(new double[] {0}, r.values()[1]);
    }

    @Test
    void badArgumentsAreReported() {
        Tensor x = vec(1, 2);
        var e1 = assertThrows(IllegalArgumentException.class, () -> Functional.vjp(t -> t.mul(2), x, vec(1, 2, 3)));
        assertTrue(e1.getMessage().contains("vjp: v[0] has shape [3] but output 0 has shape [2]"), e1.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> Functional.hessian(t -> t.mul(2), x));
        assertTrue(e2.getMessage().contains("single element tensor"), e2.getMessage());
        var e3 = assertThrows(IllegalArgumentException.class, () -> Functional.jvp(t -> t.mul(2), x, null));
        assertTrue(e3.getMessage().contains("v can be omitted only"), e3.getMessage());
    }

    // f(x) = x0^2 x1 + x1^3, so H = [[2 x1, 2 x0], [2 x0, 6 x1]] = [[4, 2], [2, 12]] at x = (1, 2)
    private static Tensor cubic(Tensor[] in) {
        Tensor x0 = in[0].select(0, 0), x1 = in[0].select(0, 1);
        return x0.square().mul(x1).add(x1.pow(3));
    }

    @Test
    void vhpAndHvpOfASmoothFunctionAgree() {
        Tensor x = vec(1, 2), v = vec(1, 1);
        Functional.Result hv = Functional.hvp(FunctionalTest::cubic, new Tensor[] {x}, new Tensor[] {v}, false);
        Functional.Result vh = Functional.vhp(FunctionalTest::cubic, new Tensor[] {x}, new Tensor[] {v}, false);
        assertClose(new double[] {6, 14}, hv.value());   // H v
        assertClose(new double[] {6, 14}, vh.value());   // v^T H (H is symmetric)
        assertClose(new double[] {10}, vh.output());      // 1 * 2 + 8
        Tensor y = vec(1, 2);
        assertClose(new double[] {4, 2}, Functional.vhp(t -> cubic(new Tensor[] {t}), y, vec(1, 0)).value());
    }

    @Test
    void createGraphKeepsSecondOrderResultsDifferentiable() {
        Tensor x = vec(1, 2).requiresGrad(true), v = vec(1, 1);
        for (boolean hv : new boolean[] {true, false}) {
            Functional.Result r = hv
                    ? Functional.hvp(FunctionalTest::cubic, new Tensor[] {x}, new Tensor[] {v}, true)
                    : Functional.vhp(FunctionalTest::cubic, new Tensor[] {x}, new Tensor[] {v}, true);
            assertTrue(r.value().requiresGrad());
            // sum(H v) = 2 x1 + 2 x0 + 2 x0 + 6 x1 = 4 x0 + 8 x1
            assertClose(new double[] {4, 8}, Autograd.grad(r.value().sum(), x)[0]);
        }
    }

    @Test
    void strictModeRefusesOutputsIndependentOfAnInput() {
        Tensor a = vec(1, 2), b = vec(3, 4);
        Functional.Fn usesOnlyA = in -> new Tensor[] {in[0].mul(2)};
        Functional.Result lax = Functional.vjp(usesOnlyA, new Tensor[] {a, b}, new Tensor[] {vec(1, 1)}, false, false);
        assertClose(new double[] {0, 0}, lax.values()[1]);
        var e = assertThrows(AutogradException.UnusedInput.class,
                () -> Functional.vjp(usesOnlyA, new Tensor[] {a, b}, new Tensor[] {vec(1, 1)}, false, true));
        assertTrue(e.getMessage().contains("independent of input 1"), e.getMessage());
        assertThrows(AutogradException.UnusedInput.class,
                () -> Functional.jvp(usesOnlyA, new Tensor[] {a, b}, new Tensor[] {vec(1, 1), vec(1, 1)}, false, true));
        assertThrows(AutogradException.UnusedInput.class,
                () -> Functional.jacobian(usesOnlyA, new Tensor[] {a, b}, false, true));
        // a linear function has a Hessian that is zero by structure: strict mode refuses it
        assertThrows(AutogradException.UnusedInput.class,
                () -> Functional.hessian(in -> in[0].sum(), new Tensor[] {a}, false, true));
        assertThrows(AutogradException.UnusedInput.class,
                () -> Functional.vhp(in -> in[0].sum(), new Tensor[] {a}, new Tensor[] {vec(1, 1)}, false, true));
        assertClose(new double[] {0, 0},
                Functional.hvp(in -> in[0].sum(), new Tensor[] {a}, new Tensor[] {vec(1, 1)}, false, false).value());
        Tensor[][] h = Functional.hessian(in -> in[0].pow(3).sum(), new Tensor[] {a}, false, true);
        assertClose(new double[] {6, 0, 0, 12}, h[0][0]);   // diag(6x)
    }
}
