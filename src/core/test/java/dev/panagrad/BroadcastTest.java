package dev.panagrad;

import org.junit.jupiter.api.Test;

import static dev.panagrad.Ref.assertExact;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** NumPy broadcasting: the shape rule, expand views, ops on broadcast operands, and the adjoint sumTo. */
class BroadcastTest {

    private static void assertBroadcast(long[] a, long[] b, long[] expected) {
        assertArrayEquals(expected, Shape.broadcast("test", a, b));
        assertArrayEquals(expected, Shape.broadcast("test", b, a), "broadcasting is symmetric");
    }

    @Test
    void shapeRuleAlignsFromTheLastDim() {
        assertBroadcast(new long[] {2, 1, 3}, new long[] {4, 3}, new long[] {2, 4, 3});
        assertBroadcast(new long[] {3, 1}, new long[] {1, 3}, new long[] {3, 3});
        assertBroadcast(new long[] {}, new long[] {5}, new long[] {5});
        assertBroadcast(new long[] {}, new long[] {}, new long[] {});
        assertBroadcast(new long[] {0}, new long[] {1}, new long[] {0});        // size 1 stretches to 0
        assertBroadcast(new long[] {2, 0}, new long[] {0}, new long[] {2, 0});
        Ref.assertThrowsWith(IllegalArgumentException.class,
                () -> Shape.broadcast("add", new long[] {2, 3}, new long[] {4}), "add", "[2, 3]", "[4]");
    }

    @Test
    void opsOnAllBroadcastPatterns() {
        // out[i][j][k] = a[i][0][k] + b[j][k] + c: a [2, 1, 3], b [4, 3], c a 0-dim scalar
        double[] a = {1, 2, 3, 4, 5, 6}, b = new double[12];
        for (int i = 0; i < 12; i++) b[i] = 100 * i;
        Tensor ta = Ref.layout(Ref.Layout.REVERSED_OFFSET, a, DType.FLOAT64, 2, 1, 3);
        Tensor tb = Ref.layout(Ref.Layout.TRANSPOSED, b, DType.FLOAT64, 4, 3);
        Tensor out = ta.add(tb).add(Tensor.scalar(DType.FLOAT64, 0.5));
        double[] expected = new double[24];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 4; j++) {
                for (int k = 0; k < 3; k++) expected[(i * 4 + j) * 3 + k] = a[i * 3 + k] + b[j * 3 + k] + 0.5;
            }
        }
        assertExact(expected, out, 2, 4, 3);
        // two 0-dim tensors give a 0-dim result
        assertEquals(0, Tensor.of(2.0).mul(Tensor.of(3.0)).dim());
        // broadcasting against an empty dim gives an empty result
        assertArrayEquals(new long[] {0, 3}, Tensor.zeros(0, 3).add(Tensor.ones(3)).shape());
    }

    @Test
    void singleElementOperandsOnEitherSideOfEveryBinaryOp() {
        // Small ops with a one-element constant read it with stride 0 instead of through an expanded view;
        // the results, shapes and gradients must equal the elementwise definition in every position.
        double[] v = {1.5, -2, 3, 0.25, 4, -1};
        long[][] shapes = {{}, {1}, {6}, {2, 3}, {1, 1}};
        for (long[] shape : shapes) {
            int n = Ref.numel(shape);
            for (long[] cShape : new long[][] {{}, {1}, {1, 1}}) {
                if (cShape.length > shape.length) continue;
                long[] outShape = Shape.broadcast("test", shape, cShape);
                Tensor x = Ref.tensor(java.util.Arrays.copyOf(v, n), DType.FLOAT64, shape).requiresGrad(true);
                Tensor c = Tensor.full(DType.FLOAT64, 2.5, cShape);
                double[] right = new double[n], left = new double[n], ones = new double[n];
                for (int i = 0; i < n; i++) {
                    right[i] = Math.pow(v[i], 2.5) + v[i] / 2.5;   // x^c + x/c
                    left[i] = 2.5 - v[i] * 2.5;                    // c - c*x
                    ones[i] = 1;
                }
                Tensor r = x.pow(c).add(x.div(c)), l = c.sub(c.mul(x));
                assertArrayEquals(outShape, r.shape());
                assertArrayEquals(outShape, l.shape());
                Ref.assertWithin(1e-12, 0, right, r, outShape);
                Ref.assertWithin(1e-12, 0, left, l, outShape);
                // d/dx (x^c + x/c - c*x) = c x^(c-1) + 1/c - c
                r.sub(c.mul(x)).backward(Tensor.ones(DType.FLOAT64, outShape));
                double[] grad = new double[n];
                for (int i = 0; i < n; i++) grad[i] = 2.5 * Math.pow(v[i], 1.5) + 1 / 2.5 - 2.5;
                Ref.assertWithin(1e-12, 0, grad, x.grad(), shape);
            }
        }
    }

    @Test
    void aSingleElementOperandThatRequiresGradGetsTheSummedGradient() {
        // y = w * x with w [1] broadcast over x [4]: dy/dw summed over the four positions is sum(x) = 10
        Tensor w = Tensor.of(DType.FLOAT64, new double[] {3}, 1).requiresGrad(true);
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 2, 3, 4}, 4);
        w.mul(x).sum().backward();
        assertEquals(10, w.grad().item(), 1e-12);
        assertArrayEquals(new long[] {1}, w.grad().shape());
    }

    @Test
    void expandedViewsAsOperandsAndInputs() {
        // x [3] expanded to [2, 4, 3] by broadcastTo, then used with a transposed [4, 3] operand
        double[] x = {1, 2, 3}, y = new double[12];
        for (int i = 0; i < 12; i++) y[i] = i;
        Tensor e = Ref.tensor(x, DType.FLOAT32, 3).broadcastTo(2, 4, 3);
        assertArrayEquals(new long[] {0, 0, 1}, e.strides());
        Tensor r = e.mul(Ref.layout(Ref.Layout.TRANSPOSED, y, DType.FLOAT32, 4, 3));
        double[] expected = new double[24];
        for (int i = 0; i < 24; i++) expected[i] = x[i % 3] * y[i % 12];
        assertExact(expected, r, 2, 4, 3);
        // reductions and unary ops read an expanded input correctly: sum over [2, 4, 3] of x = 8 * (1 + 2 + 3)
        assertEquals(48, e.sum().item());
        assertExact(new double[] {8, 16, 24}, e.sum(new int[] {0, 1}, false), 3);
        assertExact(new double[] {1, 4, 9, 1, 4, 9}, e.select(0, 1).narrow(0, 0, 2).square(), 2, 3);
        // a copy of an expanded view is materialised
        Tensor c = e.contiguous();
        assertArrayEquals(new long[] {12, 3, 1}, c.strides());
        assertExact(repeat(x, 8), c, 2, 4, 3);
    }

    private static double[] repeat(double[] v, int times) {
        double[] r = new double[v.length * times];
        for (int i = 0; i < r.length; i++) r[i] = v[i % v.length];
        return r;
    }

    @Test
    void sumToIsTheAdjointOfExpand() {
        // g [2, 4, 3] summed to [4, 1]: out[j][0] = sum_{i,k} g[i][j][k]
        double[] g = Ref.random(3, 24, -1, 1);
        Tensor t = Ref.layout(Ref.Layout.REVERSED_OFFSET, g, DType.FLOAT64, 2, 4, 3);
        double[] expected = new double[4];
        for (int i = 0; i < 2; i++) for (int j = 0; j < 4; j++) for (int k = 0; k < 3; k++) expected[j] += g[(i * 4 + j) * 3 + k];
        Ref.assertClose(expected, t.sumTo(4, 1), 4, 1);
        // <expand(x), g> = <x, sumTo(g)> for x [4, 1]
        Tensor x = Ref.tensor(new double[] {1, -2, 3, 0.5}, DType.FLOAT64, 4, 1);
        double lhs = x.expand(2, 4, 3).mul(t).sum().item(), rhs = x.mul(t.sumTo(4, 1)).sum().item();
        assertEquals(lhs, rhs, 1e-12);
        Ref.assertThrowsWith(IllegalArgumentException.class, () -> t.sumTo(5, 1), "sumTo", "[2, 4, 3]", "[5, 1]");
    }
}
