package dev.panagrad;

import org.junit.jupiter.api.Test;

import static dev.panagrad.Ref.assertExact;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** gather / scatterAdd / indexSelect / indexAdd against index loops, with non-contiguous inputs and indices. */
class IndexingTest {

    private static final long[] XS = {3, 4, 5};

    @Test
    void gatherAlongEachDim() {
        double[] x = Ref.random(51, 60, -1, 1);
        // index [2, 3, 4] fits inside x [3, 4, 5] in the non-gathered dims
        long[] is = {2, 3, 4};
        for (int d = 0; d < 3; d++) {
            double[] idx = Ref.random(52 + d, 24, 0, XS[d]);
            for (int i = 0; i < 24; i++) idx[i] = Math.floor(idx[i]);
            int dim = d;
            // out[i][j][k] = x[..., idx[i][j][k] at position d, ...]
            double[] expected = Ref.mapIndex(x, XS, is, o -> {
                long[] src = o.clone();
                src[dim] = (long) idx[Ref.ravel(o, is)];
                return src;
            });
            for (Ref.Layout lx : Ref.layouts(3)) {
                for (Ref.Layout li : Ref.layouts(3)) {
                    Tensor out = Ref.layout(lx, x, DType.FLOAT64, XS).gather(dim, Ref.layout(li, idx, DType.INT64, is));
                    assertExact(expected, out, is);
                }
            }
        }
    }

    @Test
    void scatterAddAccumulatesDuplicates() {
        // out = x; out[idx[i][j]][j] += src[i][j] along dim 0, with idx repeating rows
        double[] x = {1, 2, 3, 4, 5, 6}, idx = {0, 1, 1, 0, 0, 1}, src = {10, 20, 30, 40, 50, 60};
        double[] expected = x.clone();
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) expected[(int) idx[i * 3 + j] * 3 + j] += src[i * 3 + j];
        for (Ref.Layout lx : Ref.layouts(2)) {
            for (Ref.Layout ls : Ref.layouts(2)) {
                Tensor tx = Ref.layout(lx, new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, DType.FLOAT32, 3, 3)
                        .narrow(0, 0, 2);   // x is the first two rows of a [3, 3] view
                Tensor out = tx.scatterAdd(0, Ref.layout(lx, idx, DType.INT64, 2, 3), Ref.layout(ls, src, DType.FLOAT32, 2, 3));
                assertExact(expected, out, 2, 3);
            }
        }
        // the input is not modified
        Tensor base = Tensor.of(new float[] {1, 2}, 2);
        base.scatterAdd(0, Tensor.of(new long[] {0}, 1), Tensor.of(new float[] {5}, 1));
        assertExact(new double[] {1, 2}, base, 2);
    }

    @Test
    void scatterAddReadsSourceViewsAtTheirOffset() {
        // src is row 1 of a matrix (offset 3): out[0][idx[0][j]] += src[0][j]
        Tensor src = Tensor.of(new float[] {0, 0, 0, 10, 20, 30}, 2, 3).narrow(0, 1, 1);
        Tensor out = Tensor.zeros(1, 3).scatterAdd(1, Tensor.of(new long[] {2, 0, 2}, 1, 3), src);
        assertExact(new double[] {20, 0, 40}, out, 1, 3);
        // a src larger than the index: only its leading [1, 2] block is used
        Tensor big = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertExact(new double[] {2, 1, 0}, Tensor.zeros(1, 3).scatterAdd(1, Tensor.of(new long[] {1, 0}, 1, 2), big), 1, 3);
    }

    @Test
    void scatterAddIsTheAdjointOfGather() {
        // <gather(x, idx), g> = <x, scatterAdd(zeros, idx, g)>
        double[] x = Ref.random(53, 60, -1, 1), g = Ref.random(54, 24, -1, 1), idx = new double[24];
        for (int i = 0; i < 24; i++) idx[i] = i % 5;
        Tensor tx = Ref.tensor(x, DType.FLOAT64, XS), ti = Ref.layout(Ref.Layout.TRANSPOSED, idx, DType.INT64, 2, 3, 4);
        Tensor tg = Ref.tensor(g, DType.FLOAT64, 2, 3, 4);
        double lhs = tx.gather(2, ti).mul(tg).sum().item();
        double rhs = tx.mul(tx.zerosLike().scatterAdd(2, ti, tg)).sum().item();
        assertEquals(lhs, rhs, 1e-12);
    }

    @Test
    void indexSelectAndIndexAdd() {
        double[] x = Ref.random(55, 60, -1, 1);
        double[] idx = {3, 0, 3, 1};   // a duplicate picks the same slice twice
        for (int d = 0; d < 3; d++) {
            int dim = d;
            double[] id = idx.clone();
            for (int i = 0; i < id.length; i++) id[i] = id[i] % XS[d];
            long[] os = XS.clone();
            os[d] = 4;
            // out[..., j, ...] = x[..., idx[j], ...] along dim
            double[] expected = Ref.mapIndex(x, XS, os, o -> {
                long[] s = o.clone();
                s[dim] = (long) id[(int) o[dim]];
                return s;
            });
            for (Ref.Layout lx : Ref.layouts(3)) {
                Tensor ti = Ref.layout(Ref.Layout.STEPPED, id, DType.INT64, 4);
                assertExact(expected, Ref.layout(lx, x, DType.FLOAT64, XS).indexSelect(dim, ti), os);
            }
        }
        // indexAdd: out = x; out[idx[j]] += src[j] along dim 0 (row 0 gets two rows added)
        Tensor base = Tensor.zeros(DType.FLOAT64, 3, 2);
        Tensor src = Ref.layout(Ref.Layout.TRANSPOSED, new double[] {1, 2, 3, 4, 5, 6}, DType.FLOAT64, 3, 2);
        Tensor out = base.indexAdd(0, Tensor.of(new long[] {0, 2, 0}, 3), src);
        assertExact(new double[] {1 + 5, 2 + 6, 0, 0, 3, 4}, out, 3, 2);
    }

    @Test
    void scalarInputs() {
        Tensor s = Tensor.of(4.0);
        assertEquals(4, s.gather(0, Tensor.scalar(DType.INT64, 0)).item());
        assertEquals(4, s.indexSelect(0, Tensor.of(new long[] {0}, 1)).item());
    }
}
