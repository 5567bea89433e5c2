package dev.panagrad.ops;

import dev.panagrad.DType;
import dev.panagrad.Graph;
import dev.panagrad.Shape;
import dev.panagrad.Tensor;
import dev.panagrad.kernels.Kernels;

import java.lang.foreign.MemorySegment;

/**
 * Ops that read or write at int64 indices: gather / scatterAdd (an index per element) and indexSelect /
 * indexAdd (an index per slice). Each pair is the other's adjoint. Indices are range-checked first.
 *
 * <pre>{@code
 * Tensor picked = logProbs.gather(1, labels.unsqueeze(1));   // [batch, 1]
 * Tensor rows = embedding.indexSelect(0, tokenIds);
 * }</pre>
 */
public final class Indexing {
    private Indexing() {}

    private static final Kernels K = Kernels.active();

    /** {@code out[..., j, ...] = x[..., index[..., j, ...], ...]} along dim; out has the index's shape. */
    public static Tensor gather(Tensor x, int dim, Tensor index) {
        int d = Shape.wrapDim("gather", dim, x.dim());
        checkIndex("gather", index, x, d, true);
        long[] ishape = index.shape(), xshape = x.shape();
        Tensor src = x.detach();
        for (int i = 0; i < ishape.length; i++) {
            if (i != d) src = src.narrow(i, 0, ishape[i]);
        }
        Tensor c = Pointwise.convertRaw(src, x.dtype()), idx = Pointwise.convertRaw(index, DType.INT64);
        Tensor out = Tensor.empty(x.dtype(), ishape);
        long outer = prod(ishape, 0, d), inner = prod(ishape, d + 1, ishape.length);
        long size = xshape.length == 0 ? 1 : xshape[d], isize = ishape.length == 0 ? 1 : ishape[d];
        Loops.using("gather", new Tensor[] {c, idx, out}, () -> K.gather(x.dtype(), c.segment(), c.offset(), outer,
                size, inner, idx.segment(), idx.offset(), isize, out.segment(), 0));
        return Graph.record("GatherBackward0", out, x,
                (g, s) -> x.zerosLike().scatterAdd(d, s[0], g), index);
    }

    /** A copy of x with src added at index along dim (index and src of one shape). */
    public static Tensor scatterAdd(Tensor x, int dim, Tensor index, Tensor src) {
        int d = Shape.wrapDim("scatterAdd", dim, x.dim());
        checkIndex("scatterAdd", index, x, d, true);
        long[] ishape = index.shape();
        for (int i = 0; i < ishape.length; i++) {
            if (src.dim() != ishape.length || src.size(i) < ishape[i]) {
                throw new IllegalArgumentException("scatterAdd: src " + src.describe() + " is smaller than index "
                        + Shape.str(ishape) + "; expected src.size(d) >= index.size(d) for all d");
            }
        }
        Tensor out = Pointwise.convertRaw(x.detach(), x.dtype());
        if (out == x || out.storage() == x.storage()) out = x.detach().clone();
        Tensor s = src.detach();
        for (int i = 0; i < ishape.length; i++) s = s.narrow(i, 0, ishape[i]);
        Tensor sc = Pointwise.convertRaw(s, x.dtype()), idx = Pointwise.convertRaw(index, DType.INT64);
        Tensor view = out;
        for (int i = 0; i < ishape.length; i++) if (i != d) view = view.narrow(i, 0, ishape[i]);
        long outer = prod(ishape, 0, d), inner = prod(ishape, d + 1, ishape.length);
        long isize = ishape.length == 0 ? 1 : ishape[d], size = x.dim() == 0 ? 1 : x.size(d);
        Tensor target = view.isContiguous() ? view : Pointwise.convertRaw(view, x.dtype());
        Loops.using("scatterAdd", new Tensor[] {sc, idx, target}, () -> K.scatterAdd(x.dtype(), sc.segment(),
                sc.offset(), outer, isize, inner, idx.segment(), idx.offset(), size, target.segment(), target.offset()));
        if (target != view) Pointwise.copyRaw(view, target);
        return Graph.record("ScatterAddBackward0", out, Graph.of(x, src), Graph.of(index),
                (g, sv) -> Graph.of(g, g.gather(d, sv[0])));
    }

    /** The slices of x at the given 1-D int64 indices along dim. */
    public static Tensor indexSelect(Tensor x, int dim, Tensor index) {
        int d = Shape.wrapDim("indexSelect", dim, x.dim());
        checkIndex("indexSelect", index, x, d, false);
        Tensor c = Pointwise.convertRaw(x.detach(), x.dtype()), idx = Pointwise.convertRaw(index.reshape(-1), DType.INT64);
        long[] shape = x.shape();
        long n = idx.numel();
        long[] outShape = shape.clone();
        if (shape.length > 0) outShape[d] = n;
        Tensor out = Tensor.empty(x.dtype(), outShape);
        Loops.using("indexSelect", new Tensor[] {c, idx, out}, () -> K.indexSelect(x.dtype(), c.segment(), c.offset(),
                prod(shape, 0, d), shape.length == 0 ? 1 : shape[d], prod(shape, d + 1, shape.length), idx.segment(),
                idx.offset(), n, out.segment(), 0));
        return Graph.record("IndexSelectBackward0", out, x, (g, s) -> x.zerosLike().indexAdd(d, s[0], g), idx);
    }

    /** A copy of x with the slices of src added at the given indices along dim. */
    public static Tensor indexAdd(Tensor x, int dim, Tensor index, Tensor src) {
        int d = Shape.wrapDim("indexAdd", dim, x.dim());
        checkIndex("indexAdd", index, x, d, false);
        Tensor idx = Pointwise.convertRaw(index.reshape(-1), DType.INT64);
        long[] shape = x.shape(), expected = shape.clone();
        if (shape.length > 0) expected[d] = idx.numel();
        if (!java.util.Arrays.equals(src.shape(), expected)) {
            throw new IllegalArgumentException("indexAdd: source " + src.describe() + " does not match; expected shape "
                    + Shape.str(expected));
        }
        Tensor out = x.detach().clone();
        Tensor sc = Pointwise.convertRaw(src.detach(), x.dtype());
        Loops.using("indexAdd", new Tensor[] {sc, idx, out}, () -> K.indexAdd(x.dtype(), sc.segment(), sc.offset(),
                prod(shape, 0, d), idx.numel(), prod(shape, d + 1, shape.length), idx.segment(), idx.offset(),
                shape.length == 0 ? 1 : shape[d], out.segment(), 0));
        return Graph.record("IndexAddBackward0", out, Graph.of(x, src), Graph.of(idx),
                (g, s) -> Graph.of(g, g.indexSelect(d, s[0])));
    }

    /** Checks the index dtype, rank and range against x's dim d. */
    private static void checkIndex(String op, Tensor index, Tensor x, int d, boolean perElement) {
        if (index.dtype() != DType.INT64) {
            throw new IllegalArgumentException(op + ": expected an int64 index, given " + index.describe());
        }
        if (perElement) {
            if (index.dim() != x.dim()) {
                throw new IllegalArgumentException(op + ": index tensor must have the same number of dimensions as "
                        + "input; given index " + index.describe() + " and input " + x.describe());
            }
            for (int i = 0; i < x.dim(); i++) {
                if (i != d && index.size(i) > x.size(i)) {
                    throw new IllegalArgumentException(op + ": size of index " + Shape.str(index.shape())
                            + " exceeds input " + Shape.str(x.shape()) + " at dimension " + i);
                }
            }
        } else if (index.dim() > 1) {
            throw new IllegalArgumentException(op + ": index should have 1 dimension, given " + index.describe());
        } else if (x.dim() == 0 && index.numel() != 1) {
            throw new IllegalArgumentException(op + ": index to a 0-dim tensor can have only 1 value, given "
                    + index.describe());
        }
        long size = x.dim() == 0 ? 1 : x.size(d);
        if (index.numel() == 0) return;
        long lo = Long.MAX_VALUE, hi = Long.MIN_VALUE;
        for (long v : index.toLongArray()) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        if (lo < 0 || hi >= size) {
            throw new IndexOutOfBoundsException(op + ": index " + (lo < 0 ? lo : hi) + " is out of bounds for dimension "
                    + d + " with size " + size + "; expected indices in [0, " + size + ")");
        }
    }

    private static long prod(long[] shape, int from, int to) {
        long n = 1;
        for (int i = from; i < to; i++) n *= shape[i];
        return n;
    }
}
