package dev.panagrad.ops;

import dev.panagrad.DType;
import dev.panagrad.Graph;
import dev.panagrad.Shape;
import dev.panagrad.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Selection and writes at computed positions: take, one_hot, nonzero, masked_select, scatter (assignment)
 * and the flat {@link #put} behind index_put. Writes are expressed through flat element positions: the
 * positions a subscript or scatter index reaches are found by applying it to {@code arange(numel)}, so every
 * op here is a composition of gather/indexSelect/indexAdd/where and is differentiable through theirs.
 *
 * <pre>{@code
 * Tensor y = x.scatter(1, index, src);          // y[i][index[i][j]] = src[i][j]
 * Tensor picked = x.maskedSelect(x.gt(0));      // 1-D
 * }</pre>
 */
public final class Selecting {
    private Selecting() {}

    /** Elements of the flattened x at {@code index} (negative positions count from the end); index's shape. */
    public static Tensor take(Tensor x, Tensor index) {
        Tensor flat = wrap("take", index.reshape(-1), x.numel());
        Tensor out = Untracked.run(() -> x.detach().reshape(-1).indexSelect(0, flat).reshape(index.shape()));
        return Graph.record("TakeBackward0", out, x, (g, s) -> scatterBack(g, s[0], x.shape()), flat);
    }

    /** The adjoint of reading the flattened elements at {@code positions}: g added back there, in {@code shape}. */
    private static Tensor scatterBack(Tensor g, Tensor positions, long[] shape) {
        return Tensor.zeros(g.dtype(), Shape.numel(shape)).indexAdd(0, positions, g.reshape(-1)).view(shape);
    }

    /** int64 positions with negatives wrapped, checked against {@code size}. */
    static Tensor wrap(String op, Tensor index, long size) {
        if (index.dtype() != DType.INT64) {
            throw new IllegalArgumentException(op + ": tensors used as indices must be long or bool tensors; given "
                    + index.describe());
        }
        long[] v = index.toLongArray();
        boolean negative = false;
        for (long i : v) {
            if (i < -size || i >= size) {
                throw new IndexOutOfBoundsException(op + ": index " + i + " is out of bounds for size " + size
                        + "; expected indices in [" + (-size) + ", " + size + ")");
            }
            negative |= i < 0;
        }
        return negative ? Tensor.where(index.lt(0), index.add(size), index) : index;
    }

    /** int64 one-hot rows: {@code out[..., c] = index[...] == c}; {@code classes < 0} uses max(index) + 1. */
    public static Tensor oneHot(Tensor index, long classes) {
        if (index.dtype() != DType.INT64) {
            throw new IllegalArgumentException("one_hot: one_hot is only applicable to index tensor of type int64; "
                    + "given " + index.describe());
        }
        long lo = 0, hi = -1;
        for (long v : index.toLongArray()) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        long c = classes < 0 ? hi + 1 : classes;
        if (lo < 0 || hi >= c) {
            throw new IllegalArgumentException("one_hot: Class values must be smaller than num_classes and "
                    + "non-negative; given values in [" + lo + ", " + hi + "] for " + c + " classes");
        }
        return index.unsqueeze(-1).eq(Tensor.arange(c)).to(DType.INT64);
    }

    /** The coordinates of the nonzero elements, one row each: int64 [count, x.dim()] in row-major order. */
    public static Tensor nonzero(Tensor x) {
        double[] v = x.detach().toDoubleArray();
        long[] shape = x.shape();
        List<long[]> rows = new ArrayList<>();
        for (int i = 0; i < v.length; i++) {
            if (v[i] == 0) continue;
            long[] at = new long[shape.length];
            long rest = i;
            for (int d = shape.length - 1; d >= 0; d--) {
                at[d] = rest % shape[d];
                rest /= shape[d];
            }
            rows.add(at);
        }
        long[] flat = new long[rows.size() * shape.length];
        for (int r = 0; r < rows.size(); r++) System.arraycopy(rows.get(r), 0, flat, r * shape.length, shape.length);
        return Tensor.of(flat, rows.size(), shape.length);
    }

    /** The elements of x (broadcast with the mask) where the mask is true, as a 1-D tensor. */
    public static Tensor maskedSelect(Tensor x, Tensor mask) {
        if (mask.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("masked_select: expected a bool mask; given " + mask.describe());
        }
        long[] shape = Shape.broadcast("masked_select", x.shape(), mask.shape());
        Tensor positions = nonzero(mask.expand(shape).reshape(-1)).reshape(-1);
        Tensor out = Untracked.run(() -> x.detach().expand(shape).reshape(-1).indexSelect(0, positions));
        long[] in = x.shape();
        return Graph.record("MaskedSelectBackward0", out, x,
                (g, s) -> scatterBack(g, s[0], shape).sumTo(in), positions);
    }

    /** A copy of x with {@code out[... index[i] ...] = src[i]} along dim (torch.scatter); the last write wins. */
    public static Tensor scatter(Tensor x, int dim, Tensor index, Tensor src) {
        int d = Shape.wrapDim("scatter", dim, Math.max(1, x.dim()));
        long[] ishape = index.shape();
        if (src.dim() != ishape.length) {
            throw new IllegalArgumentException("scatter: index and src should have the same number of dimensions; "
                    + "given index " + index.describe() + " and src " + src.describe());
        }
        Tensor s = src;
        for (int i = 0; i < ishape.length; i++) {
            if (src.size(i) < ishape[i]) {
                throw new IllegalArgumentException("scatter: src " + src.describe() + " is smaller than index "
                        + Shape.str(ishape) + "; expected src.size(d) >= index.size(d) for all d");
            }
            s = s.narrow(i, 0, ishape[i]);
        }
        Tensor positions = positions(x).gather(d, index);
        return put("scatter", "ScatterBackward0", x, positions, s, false);
    }

    /** Each element's flat position: {@code arange(numel)} in x's shape. */
    static Tensor positions(Tensor x) {
        return Tensor.arange(x.numel()).view(x.shape());
    }

    /**
     * torch.put on the flattened x: {@code values} (broadcast to positions' shape) written at the flat
     * positions, or added there when {@code accumulate}. Without accumulate, the last write to a position wins
     * and alone receives the gradient. {@code op} names the op in errors; one node named {@code node} records it.
     */
    public static Tensor put(String op, String node, Tensor x, Tensor positions, Tensor values, boolean accumulate) {
        Tensor pos = wrap(op, positions.reshape(-1), x.numel());
        long[] shape = x.shape(), written = positions.shape(), vshape = values.shape();
        DType vtype = values.dtype();
        Tensor v = values.detach().to(x.dtype()).expand(written).reshape(-1);
        Tensor flat = x.detach().reshape(-1);
        if (accumulate) {
            Tensor out = Untracked.run(() -> flat.indexAdd(0, pos, v).view(shape));
            return Graph.record(node, out, Graph.of(x, values), Graph.of(pos), (g, s) -> Graph.of(g,
                    g.reshape(-1).indexSelect(0, s[0]).reshape(written).sumTo(vshape).to(vtype)));
        }
        // keep only the last write to each position, so indexAdd below adds each position once
        long[] p = pos.toLongArray();
        boolean[] hit = new boolean[(int) x.numel()], last = new boolean[p.length];
        for (int i = p.length - 1; i >= 0; i--) {
            last[i] = !hit[(int) p[i]];
            hit[(int) p[i]] = true;
        }
        Tensor lastWrite = Tensor.of(last, p.length), hitMask = Tensor.of(hit, hit.length).view(shape);
        Tensor out = Untracked.run(() -> {
            Tensor kept = Tensor.zeros(x.dtype(), x.numel()).indexAdd(0, pos, Tensor.where(lastWrite, v, 0));
            return Tensor.where(hitMask, kept.view(shape), x.detach());
        });
        return Graph.record(node, out, Graph.of(x, values), Graph.of(pos, lastWrite, hitMask), (g, s) -> Graph.of(
                Tensor.where(s[2], 0, g),
                Tensor.where(s[1], g.reshape(-1).indexSelect(0, s[0]), 0).reshape(written).sumTo(vshape).to(vtype)));
    }}
