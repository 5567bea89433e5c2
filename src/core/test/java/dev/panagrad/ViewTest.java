package dev.panagrad;

import org.junit.jupiter.api.Test;

import static dev.panagrad.Ref.assertExact;
import static dev.panagrad.Ref.mapIndex;
import static dev.panagrad.Ref.sharesStorage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** View ops: geometry (shape, strides, offset), values against index arithmetic, and storage sharing. */
class ViewTest {

    private static double[] iota(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = i;
        return v;
    }

    @Test
    void reshapeAndViewShareStorageAndInferOneSize() {
        Tensor base = Ref.tensor(iota(12), DType.FLOAT32, 3, 4);
        Tensor v = base.view(2, -1, 3);                      // -1 = 12 / (2 * 3) = 2
        assertArrayEquals(new long[] {2, 2, 3}, v.shape());
        assertArrayEquals(new long[] {6, 3, 1}, v.strides());
        assertTrue(sharesStorage(base, v));
        assertExact(iota(12), v, 2, 2, 3);                   // row-major order is unchanged by a view
        // write through the view: v[1][0][2] is row-major position 1*6 + 0*3 + 2 = 8 of the base
        v.select(0, 1).select(0, 0).narrow(0, 2, 1).fill_(-1);
        double[] expected = iota(12);
        expected[8] = -1;
        assertExact(expected, base, 3, 4);
        Tensor r = base.reshape(4, 3);
        assertTrue(sharesStorage(base, r), "reshape of a contiguous tensor is a view");
    }

    @Test
    void viewOfTransposedIsRefusedAndReshapeCopies() {
        Tensor base = Ref.tensor(iota(6), DType.FLOAT32, 2, 3);
        Tensor t = base.t();                                 // [3, 2], strides [1, 3]
        Ref.assertThrowsWith(IllegalArgumentException.class, () -> t.view(6), "view", "[3, 2]", "reshape");
        Tensor flat = t.reshape(6);
        assertFalse(sharesStorage(base, flat), "a transposed tensor cannot be flattened without a copy");
        // t[i][j] = base[j][i]; flattening t row-major gives base's columns in order
        assertExact(new double[] {0, 3, 1, 4, 2, 5}, flat, 6);
        // merging dims that stay contiguous is still a view: [3, 2] (strides [1, 3]) viewed as [3, 1, 2]
        Tensor u = t.view(3, 1, 2);
        assertTrue(sharesStorage(base, u));
        assertExact(new double[] {0, 3, 1, 4, 2, 5}, u, 3, 1, 2);
    }

    @Test
    void transposeAndPermuteSwapStridesAndWriteThrough() {
        long[] shape = {2, 3, 4};
        double[] v = iota(24);
        Tensor x = Ref.tensor(v, DType.FLOAT64, shape);
        Tensor p = x.permute(2, 0, 1);                       // p[a][b][c] = x[b][c][a]
        assertArrayEquals(new long[] {4, 2, 3}, p.shape());
        assertArrayEquals(new long[] {1, 12, 4}, p.strides());
        assertExact(mapIndex(v, shape, p.shape(), i -> new long[] {i[1], i[2], i[0]}), p, 4, 2, 3);
        Tensor t = x.transpose(0, -1);                       // t[a][b][c] = x[c][b][a]
        assertArrayEquals(new long[] {1, 4, 12}, t.strides());
        assertExact(mapIndex(v, shape, t.shape(), i -> new long[] {i[2], i[1], i[0]}), t, 4, 3, 2);
        // t[3][1][0] is x[0][1][3] = 0*12 + 1*4 + 3 = 7
        t.select(0, 3).select(0, 1).select(0, 0).fill_(100);
        assertEquals(100, x.toDoubleArray()[7]);
        assertEquals(x.version(), t.version(), "views share the version counter");
        assertEquals(1, x.version());
    }

    @Test
    void squeezeUnsqueezeFlatten() {
        Tensor x = Ref.tensor(iota(6), DType.FLOAT32, 1, 2, 1, 3);
        assertArrayEquals(new long[] {2, 3}, x.squeeze().shape());
        assertArrayEquals(new long[] {2, 1, 3}, x.squeeze(0).shape());
        assertArrayEquals(new long[] {1, 2, 1, 3}, x.squeeze(1).shape(), "a dim of size 2 is not squeezed");
        Tensor u = x.squeeze().unsqueeze(1).unsqueeze(-1);   // [2, 1, 3, 1]
        assertArrayEquals(new long[] {2, 1, 3, 1}, u.shape());
        assertTrue(u.isContiguous());
        assertTrue(sharesStorage(x, u));
        assertExact(iota(6), u.flatten(), 6);
        assertArrayEquals(new long[] {2, 3}, x.flatten(0, 2).shape());   // 1 * 2 * 1 = 2 rows of 3
        assertArrayEquals(new long[] {1}, Tensor.of(5.0).flatten().shape(), "a 0-dim tensor flattens to [1]");
        // unsqueeze(d) of a transposed view gives the new dim stride size[d] * stride[d]: [3, 2] (1, 3) -> (1, 6, 3)
        Tensor t = Ref.tensor(iota(6), DType.FLOAT32, 2, 3).t().unsqueeze(1);
        assertArrayEquals(new long[] {1, 6, 3}, t.strides());
        assertExact(new double[] {0, 3, 1, 4, 2, 5}, t, 3, 1, 2);
    }

    @Test
    void expandRepeatsWithZeroStride() {
        Tensor row = Ref.tensor(new double[] {1, 2, 3}, DType.FLOAT32, 1, 3);
        Tensor e = row.expand(4, -1);
        assertArrayEquals(new long[] {4, 3}, e.shape());
        assertArrayEquals(new long[] {0, 1}, e.strides());
        assertTrue(sharesStorage(row, e));
        assertExact(new double[] {1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3}, e, 4, 3);
        Tensor lead = row.broadcastTo(2, 4, 3);              // a new leading dim, also stride 0
        assertArrayEquals(new long[] {0, 0, 1}, lead.strides());
        assertArrayEquals(new long[] {2, 4, 3}, Ref.tensor(iota(3), DType.FLOAT32, 3).expandAs(lead).shape());
    }

    @Test
    void sliceWithStepClampsLikePython() {
        double[] v = iota(10);
        Tensor x = Ref.tensor(v, DType.FLOAT32, 10);
        Tensor s = x.slice(0, 1, 8, 3);                      // x[1:8:3] = 1, 4, 7
        assertArrayEquals(new long[] {3}, s.strides());
        assertEquals(1, s.offset());
        assertExact(new double[] {1, 4, 7}, s, 3);
        assertExact(new double[] {7, 8, 9}, x.slice(0, -3, 100, 1), 3);   // x[-3:100] = last three
        assertExact(new double[] {}, x.slice(0, 8, 2, 1), 0);              // x[8:2] is empty
        assertExact(new double[] {0, 2, 4, 6, 8}, x.slice(0, -100, 10, 2), 5);
        // write through a stepped slice: x[1:8:3] = 0 zeroes positions 1, 4, 7
        s.zero_();
        double[] expected = iota(10);
        expected[1] = expected[4] = expected[7] = 0;
        assertExact(expected, x, 10);
    }

    @Test
    void narrowAcceptsNegativeStartAndSelectRemovesTheDim() {
        Tensor x = Ref.tensor(iota(12), DType.FLOAT32, 3, 4);
        // narrow(1, -2, 2) = columns 2 and 3
        assertExact(new double[] {2, 3, 6, 7, 10, 11}, x.narrow(1, -2, 2), 3, 2);
        assertExact(new double[] {4, 5, 6, 7, 8, 9, 10, 11}, x.narrow(0, 1, 2), 2, 4);
        Tensor col = x.select(1, -1);                        // x[:, 3]
        assertEquals(3, col.offset());
        assertArrayEquals(new long[] {4}, col.strides());
        assertExact(new double[] {3, 7, 11}, col, 3);
        col.fill_(0);
        assertExact(new double[] {0, 1, 2, 0, 4, 5, 6, 0, 8, 9, 10, 0}, x, 3, 4);
    }

    @Test
    void viewsComposeOnNonContiguousInputs() {
        long[] shape = {3, 4, 5};
        double[] v = Ref.random(1, 60, -1, 1);
        for (Ref.Layout layout : Ref.layouts(3)) {
            Tensor x = Ref.layout(layout, v, DType.FLOAT32, shape);
            if (layout != Ref.Layout.CONTIGUOUS) Ref.assertNotContiguous(x);
            double[] f = Ref.asFloats(v);
            // y = x[1:, ::2, :].transpose(0, 2).select(1, 1): y[a][b] = x[1 + b][2][a], shape [5, 2]
            Tensor y = x.slice(0, 1, 3, 1).slice(1, 0, 4, 2).transpose(0, 2).select(1, 1);
            assertTrue(sharesStorage(x, y));
            assertExact(mapIndex(f, shape, new long[] {5, 2}, i -> new long[] {1 + i[1], 2, i[0]}), y, 5, 2);
            // reshape of a non-contiguous view copies when needed and keeps row-major order
            assertExact(f, x.reshape(60), 60);
            Tensor c = x.contiguous();
            assertTrue(c.isContiguous());
            assertExact(f, c, shape);
            if (layout == Ref.Layout.CONTIGUOUS) assertSame(x, c);
            else assertNotSame(x.storage(), c.storage());
        }
    }

    @Test
    void viewOfEmptyAndScalarTensors() {
        Tensor e = Tensor.zeros(0, 3);
        assertArrayEquals(new long[] {3, 0}, e.view(3, 0).shape());
        assertArrayEquals(new long[] {0, 3}, e.t().reshape(0, 3).shape());
        Tensor s = Tensor.of(2.5);
        assertArrayEquals(new long[] {1, 1}, s.view(1, 1).shape());
        assertEquals(2.5, s.view(1, 1).item());
        assertSame(s, s.transpose(0, -1), "transposing a 0-dim tensor is a no-op");
        assertThrows(IllegalArgumentException.class, () -> s.view(2));
    }
}
