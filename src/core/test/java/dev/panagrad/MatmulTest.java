package dev.panagrad;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** matmul (1-D, 2-D, batched with broadcasting), mm and bmm against a triple-loop reference, on every layout. */
class MatmulTest {

    /** C[i][j] = sum_p A[i][p] * B[p][j] for row-major A [n, k] and B [k, m]. */
    static double[] mmRef(double[] a, double[] b, int n, int k, int m) {
        double[] c = new double[n * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += a[i * k + p] * b[p * m + j];
                c[i * m + j] = s;
            }
        }
        return c;
    }

    /** float32 products carry rounding proportional to k and to the operands' magnitude (here at most 1). */
    private static void assertProduct(double[] expected, Tensor c, int k, long... shape) {
        double tol = c.dtype() == DType.FLOAT32 ? 2e-6 * k : 1e-13 * k;
        Ref.assertWithin(tol, tol, expected, c, shape);
    }

    private static double[] in(double[] v, DType dt) {
        return dt == DType.FLOAT32 ? Ref.asFloats(v) : v;
    }

    @Test
    void matrixTimesMatrixOnEveryLayout() {
        int n = 5, k = 7, m = 3;
        double[] a = Ref.random(31, n * k, -1, 1), b = Ref.random(32, k * m, -1, 1);
        for (DType dt : List.of(DType.FLOAT32, DType.FLOAT64)) {
            double[] expected = mmRef(in(a, dt), in(b, dt), n, k, m);
            for (Ref.Layout la : Ref.layouts(2)) {
                for (Ref.Layout lb : Ref.layouts(2)) {
                    Tensor ta = Ref.layout(la, a, dt, n, k), tb = Ref.layout(lb, b, dt, k, m);
                    assertProduct(expected, ta.matmul(tb), k, n, m);
                    assertProduct(expected, ta.mm(tb), k, n, m);
                }
            }
        }
    }

    @Test
    void vectorCases() {
        double[] a = Ref.random(33, 12, -1, 1), v = Ref.random(34, 4, -1, 1), w = Ref.random(35, 3, -1, 1);
        Tensor ta = Ref.layout(Ref.Layout.TRANSPOSED, a, DType.FLOAT64, 3, 4);
        Tensor tv = Ref.layout(Ref.Layout.STEPPED, v, DType.FLOAT64, 4);
        Tensor tw = Ref.layout(Ref.Layout.REVERSED_OFFSET, w, DType.FLOAT64, 3);
        // [4] . [4] = sum v_i v_i, a 0-dim result
        Tensor dot = tv.matmul(tv);
        assertEquals(0, dot.dim());
        assertEquals(v[0] * v[0] + v[1] * v[1] + v[2] * v[2] + v[3] * v[3], dot.item(), 1e-14);
        // [3, 4] @ [4] = A v, shape [3]
        assertProduct(mmRef(a, v, 3, 4, 1), ta.matmul(tv), 4, 3);
        // [3] @ [3, 4] = w^T A, shape [4]
        assertProduct(mmRef(w, a, 1, 3, 4), tw.matmul(ta), 3, 4);
    }

    @Test
    void batchedWithBroadcastBatchDims() {
        // [2, 1, 3, 4] @ [5, 4, 2] -> [2, 5, 3, 2]: C[i][j] = A[i][0] @ B[j]
        double[] a = Ref.random(36, 24, -1, 1), b = Ref.random(37, 40, -1, 1);
        for (Ref.Layout la : Ref.layouts(4)) {
            for (Ref.Layout lb : Ref.layouts(3)) {
                Tensor c = Ref.layout(la, a, DType.FLOAT32, 2, 1, 3, 4).matmul(Ref.layout(lb, b, DType.FLOAT32, 5, 4, 2));
                double[] expected = new double[2 * 5 * 6];
                for (int i = 0; i < 2; i++) {
                    for (int j = 0; j < 5; j++) {
                        double[] ai = java.util.Arrays.copyOfRange(Ref.asFloats(a), i * 12, i * 12 + 12);
                        double[] bj = java.util.Arrays.copyOfRange(Ref.asFloats(b), j * 8, j * 8 + 8);
                        System.arraycopy(mmRef(ai, bj, 3, 4, 2), 0, expected, (i * 5 + j) * 6, 6);
                    }
                }
                assertProduct(expected, c, 4, 2, 5, 3, 2);
            }
        }
    }

    @Test
    void batchedWithMatrixOrVectorOperands() {
        double[] a = Ref.random(38, 2 * 3 * 4, -1, 1), m = Ref.random(39, 4 * 5, -1, 1), v = Ref.random(40, 4, -1, 1);
        Tensor ta = Ref.layout(Ref.Layout.TRANSPOSED, a, DType.FLOAT64, 2, 3, 4);
        // [2, 3, 4] @ [4, 5]: each batch times the same matrix
        Tensor c = ta.matmul(Ref.layout(Ref.Layout.STEPPED, m, DType.FLOAT64, 4, 5));
        double[] expected = mmRef(a, m, 6, 4, 5);   // batches stacked as 6 rows
        assertProduct(expected, c, 4, 2, 3, 5);
        // [2, 3, 4] @ [4] -> [2, 3]
        assertProduct(mmRef(a, v, 6, 4, 1), ta.matmul(Tensor.ofDoubles(v)), 4, 2, 3);
        // [3] @ [2, 3, 4] -> [2, 4]: the vector is a row for every batch
        double[] w = {0.5, -1, 2};
        double[] e2 = new double[8];
        for (int bt = 0; bt < 2; bt++) {
            System.arraycopy(mmRef(w, java.util.Arrays.copyOfRange(a, bt * 12, bt * 12 + 12), 1, 3, 4), 0, e2, bt * 4, 4);
        }
        assertProduct(e2, Tensor.ofDoubles(w).matmul(ta), 3, 2, 4);
    }

    @Test
    void bmmAndExpandedOperands() {
        double[] a = Ref.random(41, 3 * 2 * 4, -1, 1), b = Ref.random(42, 4 * 3, -1, 1);
        Tensor ta = Ref.layout(Ref.Layout.REVERSED_OFFSET, a, DType.FLOAT32, 3, 2, 4);
        // the same [4, 3] matrix expanded over the batch (stride 0)
        Tensor tb = Ref.layout(Ref.Layout.TRANSPOSED, b, DType.FLOAT32, 1, 4, 3).expand(3, 4, 3);
        Tensor c = ta.bmm(tb);
        assertProduct(mmRef(Ref.asFloats(a), Ref.asFloats(b), 6, 4, 3), c, 4, 3, 2, 3);
        // a row vector expanded into a matrix: every row of the product is the same
        Tensor rows = Tensor.of(new float[] {1, 2}, 1, 2).expand(3, 2);
        Tensor r = rows.mm(Tensor.of(new float[] {1, 0, -1, 1, 1, 1}, 2, 3));
        Ref.assertExact(new double[] {3, 2, 1, 3, 2, 1, 3, 2, 1}, r, 3, 3);
    }

    @Test
    void emptyInnerDimensionGivesZeros() {
        // a sum over k = 0 terms is 0
        Ref.assertExact(new double[6], Tensor.ones(2, 0).matmul(Tensor.ones(0, 3)), 2, 3);
        Ref.assertExact(new double[4], Tensor.ones(2, 1, 0).bmm(Tensor.ones(2, 0, 2)), 2, 1, 2);
        assertArrayEquals(new long[] {0, 3}, Tensor.ones(0, 4).matmul(Tensor.ones(4, 3)).shape());
    }

    @Test
    void largeProductDoesNotDependOnTheThreadCount() {
        int n = 96, k = 130, m = 70;
        double[] a = Ref.random(43, n * k, -1, 1), b = Ref.random(44, k * m, -1, 1);
        Tensor ta = Ref.layout(Ref.Layout.TRANSPOSED, a, DType.FLOAT32, n, k);
        Tensor tb = Ref.layout(Ref.Layout.CONTIGUOUS, b, DType.FLOAT32, k, m);
        double[][] r = Ref.withOneAndTwoThreads(() -> ta.matmul(tb));
        Tensor one = Ref.tensor(r[0], DType.FLOAT64, n, m), two = Ref.tensor(r[1], DType.FLOAT64, n, m);
        double[] expected = mmRef(Ref.asFloats(a), Ref.asFloats(b), n, k, m);
        Ref.assertWithin(2e-6 * k, 2e-6 * k, expected, one, n, m);
        Ref.assertWithin(2e-6 * k, 2e-6 * k, r[0], two, n, m);
    }
}
