package dev.panagrad;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.panagrad.Ref.assertExact;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cat / stack copy into a new tensor; split / chunk return views. */
class JoiningTest {

    @Test
    void catAlongEachDimWithNonContiguousInputs() {
        double[] a = Ref.random(61, 6, -1, 1), b = Ref.random(62, 9, -1, 1);
        Tensor ta = Ref.layout(Ref.Layout.TRANSPOSED, a, DType.FLOAT64, 2, 3);
        Tensor tb = Ref.layout(Ref.Layout.STEPPED, b, DType.FLOAT64, 3, 3);
        // cat along dim 0: rows of a then rows of b
        double[] rows = new double[15];
        System.arraycopy(a, 0, rows, 0, 6);
        System.arraycopy(b, 0, rows, 6, 9);
        assertExact(rows, Tensor.cat(List.of(ta, tb), 0), 5, 3);
        // cat along dim -1 of a [3, 2] and b [3, 3]: out[i] = a[i] ++ b[i]
        Tensor tat = ta.t();                                             // [3, 2], at[i][j] = a[j][i]
        double[] cols = new double[15];
        for (int i = 0; i < 3; i++) {
            cols[i * 5] = a[i];
            cols[i * 5 + 1] = a[3 + i];
            for (int j = 0; j < 3; j++) cols[i * 5 + 2 + j] = b[i * 3 + j];
        }
        assertExact(cols, Tensor.cat(List.of(tat, tb), -1), 3, 5);
        // an empty piece contributes nothing
        assertExact(rows, Tensor.cat(List.of(ta, Tensor.zeros(DType.FLOAT64, 0, 3), tb), 0), 5, 3);
    }

    @Test
    void catPromotesDtypes() {
        Tensor c = Tensor.cat(List.of(Tensor.of(new long[] {1, 2}, 2), Tensor.of(new float[] {0.5f}, 1)), 0);
        assertEquals(DType.FLOAT32, c.dtype());
        assertExact(new double[] {1, 2, 0.5}, c, 3);
    }

    @Test
    void stackAddsADim() {
        Tensor a = Ref.layout(Ref.Layout.TRANSPOSED, new double[] {1, 2, 3, 4, 5, 6}, DType.FLOAT32, 2, 3);
        Tensor b = Ref.tensor(new double[] {7, 8, 9, 10, 11, 12}, DType.FLOAT32, 2, 3);
        assertExact(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, Tensor.stack(List.of(a, b), 0), 2, 2, 3);
        // stack along dim 1: out[i][k] = (a, b)[k][i]
        assertExact(new double[] {1, 2, 3, 7, 8, 9, 4, 5, 6, 10, 11, 12}, Tensor.stack(List.of(a, b), 1), 2, 2, 3);
        // stack along the new last dim: out[i][j] = (a[i][j], b[i][j])
        assertExact(new double[] {1, 7, 2, 8, 3, 9, 4, 10, 5, 11, 6, 12}, Tensor.stack(List.of(a, b), -1), 2, 3, 2);
    }

    @Test
    void splitAndChunkAreViews() {
        double[] v = new double[10];
        for (int i = 0; i < 10; i++) v[i] = i;
        Tensor x = Ref.tensor(v, DType.FLOAT32, 5, 2);
        List<Tensor> parts = x.split(2, 0);                              // rows 0-1, 2-3, 4
        assertEquals(3, parts.size());
        assertArrayEquals(new long[] {1, 2}, parts.get(2).shape());
        assertExact(new double[] {4, 5, 6, 7}, parts.get(1), 2, 2);
        for (Tensor p : parts) assertTrue(Ref.sharesStorage(x, p));
        parts.get(2).fill_(-1);                                          // write through the last piece
        assertExact(new double[] {0, 1, 2, 3, 4, 5, 6, 7, -1, -1}, x, 5, 2);
        // chunk(3) of 7 has pieces of ceil(7 / 3) = 3: sizes 3, 3, 1
        List<Tensor> chunks = Tensor.arange(7).chunk(3, 0);
        assertEquals(3, chunks.size());
        assertArrayEquals(new long[] {1}, chunks.get(2).shape());
        assertExact(new double[] {3, 4, 5}, chunks.get(1), 3);
        // chunk(4) of 6 has pieces of ceil(6 / 4) = 2: only three pieces, as in PyTorch
        assertEquals(3, Tensor.arange(6).chunk(4, 0).size());
        // split along a transposed dim returns views of the transposed layout
        List<Tensor> halves = x.t().split(3, 1);
        assertExact(new double[] {0, 2, 4, 1, 3, 5}, halves.get(0), 2, 3);
        assertExact(new double[] {6, -1, 7, -1}, halves.get(1), 2, 2);
    }
}
