package dev.panagrad;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Gradients of broadcast operands sum back to each operand's shape; gradients through views reach the base. */
class BroadcastViewGradTest {

    private static Tensor t(double[] v, long... shape) {
        return Tensor.of(DType.FLOAT64, v, shape).requiresGrad(true);
    }

    @Test
    void broadcastOperandsGetGradientsOfTheirOwnShape() {
        Tensor a = t(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = t(new double[] {10, 20, 30}, 3);
        Tensor c = t(new double[] {2}, 1, 1);
        a.mul(b).add(c).sum().backward();
        // d/da = b broadcast over rows; d/db = column sums of a; d/dc = number of elements
        assertArrayEquals(new double[] {10, 20, 30, 10, 20, 30}, a.grad().toDoubleArray());
        assertArrayEquals(new long[] {3}, b.grad().shape());
        assertArrayEquals(new double[] {5, 7, 9}, b.grad().toDoubleArray());
        assertArrayEquals(new long[] {1, 1}, c.grad().shape());
        assertEquals(6, c.grad().item());
    }

    @Test
    void outerBroadcastSumsAlongBothDims() {
        Tensor col = t(new double[] {1, 2}, 2, 1);
        Tensor row = t(new double[] {3, 4, 5}, 1, 3);
        col.mul(row).sum().backward();
        // d/dcol_i = sum_j row_j = 12; d/drow_j = sum_i col_i = 3
        assertArrayEquals(new double[] {12, 12}, col.grad().toDoubleArray());
        assertArrayEquals(new double[] {3, 3, 3}, row.grad().toDoubleArray());
    }

    @Test
    void zeroDimOperandGetsAZeroDimGradient() {
        Tensor s = Tensor.of(2.0).to(DType.FLOAT64).requiresGrad(true);
        Tensor x = t(new double[] {1, 2, 3}, 3);
        x.mul(s).sum().backward();
        assertEquals(0, s.grad().dim());
        assertEquals(6, s.grad().item());
    }

    @Test
    void gradientThroughTransposeReachesTheBase() {
        Tensor x = t(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor w = Tensor.of(DType.FLOAT64, new double[] {1, 10, 100, 1000, 10000, 100000}, 3, 2);
        x.t().mul(w).sum().backward();   // x^T[j][i] = x[i][j] is weighted by w[j][i]
        assertArrayEquals(new double[] {1, 100, 10000, 10, 1000, 100000}, x.grad().toDoubleArray());
    }

    @Test
    void gradientThroughASliceTouchesOnlyTheSlice() {
        Tensor x = t(new double[] {1, 2, 3, 4, 5}, 5);
        x.slice(0, 1, 5, 2).mul(Tensor.of(DType.FLOAT64, new double[] {7, 9}, 2)).sum().backward();   // elements 1 and 3
        assertArrayEquals(new double[] {0, 7, 0, 9, 0}, x.grad().toDoubleArray());
    }

    @Test
    void gradientThroughExpandSumsTheCopies() {
        Tensor x = t(new double[] {1, 2}, 2, 1);
        x.expand(2, 4).mul(Tensor.arange(DType.FLOAT64, 0, 8, 1).reshape(2, 4)).sum().backward();
        assertArrayEquals(new double[] {0 + 1 + 2 + 3, 4 + 5 + 6 + 7}, x.grad().toDoubleArray());
    }

    @Test
    void gradientThroughReshapeAndSelectChain() {
        Tensor x = t(new double[] {1, 2, 3, 4, 5, 6}, 6);
        Tensor v = x.reshape(2, 3).select(1, 2);   // elements 2 and 5
        v.square().sum().backward();                // 2 * value there
        assertArrayEquals(new double[] {0, 0, 6, 0, 0, 12}, x.grad().toDoubleArray());
    }

    @Test
    void overlappingViewsAddTheirGradients() {
        Tensor x = t(new double[] {1, 2, 3}, 3);
        Tensor y = x.narrow(0, 0, 2).add(x.narrow(0, 1, 2));   // [x0 + x1, x1 + x2]
        y.sum().backward();
        assertArrayEquals(new double[] {1, 2, 1}, x.grad().toDoubleArray());
    }
}
