package dev.panagrad.ops;

import dev.panagrad.DType;
import dev.panagrad.Graph;
import dev.panagrad.GradMode;
import dev.panagrad.Shape;
import dev.panagrad.Tensor;
import dev.panagrad.kernels.Kernels;
import dev.panagrad.kernels.Parallel;
import dev.panagrad.kernels.ReduceOp;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Reductions over all or given dims (with keepdim), arg-reductions and softmax, each with its derivative.
 * Large full reductions are split into partial results over chunks of a fixed length, reduced by whichever
 * threads are free and then combined in chunk order, so every result is the same for any thread count.
 *
 * <pre>{@code
 * Tensor m = x.mean(new int[] {0}, true);    // [1, n]
 * Tensor p = logits.softmax(-1);
 * }</pre>
 */
public final class Reductions {
    private Reductions() {}

    private static final Kernels K = Kernels.active();

    /** Sum over dims (null: all), recorded as SumBackward0 (all) or SumBackward1 (dims), as PyTorch names them. */
    public static Tensor sum(Tensor x, int[] dims, boolean keepdim) {
        boolean[] mask = dimMask("sum", x, dims);
        Tensor out = reduce(ReduceOp.SUM, x.dtype().isFloating() ? x : Pointwise.convertRaw(x, DType.INT64), mask, keepdim);
        long[] in = x.shape();
        return Graph.record(dims == null ? "SumBackward0" : "SumBackward1", out, x,
                (g, s) -> expandBack(g, in, mask, keepdim));
    }

    /** Mean over dims (null: all), recorded as MeanBackward0 (all) or MeanBackward1 (dims). */
    public static Tensor mean(Tensor x, int[] dims, boolean keepdim) {
        if (!x.dtype().isFloating()) {
            throw new IllegalArgumentException("mean: could not infer output dtype; input dtype must be floating point,"
                    + " given " + x.describe());
        }
        boolean[] mask = dimMask("mean", x, dims);
        long count = reducedCount(x.shape(), mask);
        Tensor out = reduce(ReduceOp.SUM, x, mask, keepdim);
        Pointwise.binaryInto(dev.panagrad.kernels.BinaryOp.DIV, out, Tensor.scalar(out.dtype(), count).expand(out.shape()), out);
        long[] in = x.shape();
        return Graph.record(dims == null ? "MeanBackward0" : "MeanBackward1", out, x,
                (g, s) -> expandBack(g, in, mask, keepdim).div(count));
    }

    /** Product over dims; the gradient is the product of the other elements, also where some are zero. */
    public static Tensor prod(Tensor x, int[] dims, boolean keepdim) {
        boolean[] mask = dimMask("prod", x, dims);
        Tensor out = reduce(ReduceOp.PROD, x, mask, keepdim);
        long[] in = x.shape();
        int[] reduced = maskToDims(mask);
        return Graph.record(dims == null ? "ProdBackward0" : "ProdBackward1", out, x, (g, s) -> {
            Tensor xv = s[0], isZero = xv.eq(0);
            Tensor ge = expandBack(g, in, mask, keepdim);
            // d prod / dx_i = prod / x_i at non-zero x_i; written with the product itself, it stays
            // differentiable (and 0) where another element is zero
            Tensor atNonZero = expandBack(s[1], in, mask, keepdim).div(Tensor.where(isZero, 1, xv));
            if (!isZero.any()) return ge.mul(atNonZero);
            // at the only zero of a group: the product of the others; at one of several zeros: 0
            Tensor zeros = isZero.to(xv.dtype()).sum(reduced, true);
            Tensor others = prodKeep(Tensor.where(isZero, 1, xv), reduced);
            Tensor atZero = Tensor.where(zeros.eq(1), others, 0).expand(in);
            return ge.mul(Tensor.where(isZero, atZero, atNonZero));
        }, x, out);
    }

    private static Tensor prodKeep(Tensor x, int[] dims) {
        return prod(x, dims, true);
    }

    /**
     * Maximum (or minimum) over dims; tied elements share the gradient equally, and where the result is NaN the
     * NaN elements share it (NaN equals nothing, so comparing with the result would find no element). The
     * gradient is selected rather than multiplied by a 0/1 mask, so an infinite gradient stays off the others.
     */
    public static Tensor amax(Tensor x, int[] dims, boolean keepdim, boolean max) {
        return extremum(max ? "AmaxBackward0" : "AminBackward0", x, dims, keepdim, max);
    }

    /** amax/amin and the global max/min, which PyTorch names differently (its evenly_distribute_backward). */
    private static Tensor extremum(String name, Tensor x, int[] dims, boolean keepdim, boolean max) {
        boolean[] mask = dimMask(max ? "amax" : "amin", x, dims);
        Tensor out = reduce(max ? ReduceOp.MAX : ReduceOp.MIN, x, mask, keepdim);
        long[] in = x.shape();
        int[] reduced = maskToDims(mask);
        return Graph.record(name, out, x, (g, s) -> {
            Tensor result = expandBack(s[1], in, mask, keepdim);
            Tensor hit = s[0].eq(result).logicalOr(s[0].isnan().logicalAnd(result.isnan()));
            Tensor count = hit.to(s[0].dtype()).sum(reduced, true);
            return Tensor.where(hit, expandBack(g, in, mask, keepdim).div(count), 0);
        }, x, out);
    }

    /** Maximum of all elements (MaxBackward1), ties and NaNs sharing the gradient as in {@link #amax}. */
    public static Tensor max(Tensor x) {
        checkNonEmpty("max", x);
        return extremum("MaxBackward1", x, null, false, true);
    }

    /** Minimum of all elements (MinBackward1). */
    public static Tensor min(Tensor x) {
        checkNonEmpty("min", x);
        return extremum("MinBackward1", x, null, false, false);
    }

    /** Values and int64 indices of the maxima (or minima) along a dim; the gradient goes to the chosen element. */
    public static Tensor[] maxDim(Tensor x, int dim, boolean keepdim, boolean max) {
        checkNonEmpty(max ? "max" : "min", x);
        int d = Shape.wrapDim(max ? "max" : "min", dim, x.dim());
        Tensor idx = argmax(x, d, true, max);
        if (x.dim() == 0) return new Tensor[] {x, idx};
        Tensor values;
        try (var off = GradMode.noGrad()) {
            values = x.gather(d, idx);
        }
        Tensor at = idx;
        long[] in = x.shape();
        if (!keepdim) {
            values = values.squeeze(d);
            idx = idx.squeeze(d);
        }
        // PyTorch's value_selecting_reduction_backward: the gradient goes to the selected element of each row
        return new Tensor[] {Graph.record(max ? "MaxBackward0" : "MinBackward0", values, x,
                (g, s) -> Tensor.zeros(g.dtype(), in).scatterAdd(d, s[0], keepdim ? g : g.unsqueeze(d)), at), idx};
    }

    /** int64 indices of the first maximum (or minimum) along a dim. */
    public static Tensor argmax(Tensor x, int dim, boolean keepdim, boolean max) {
        String op = max ? "argmax" : "argmin";
        checkNonEmpty(op, x);
        if (x.dim() == 0) return Tensor.scalar(DType.INT64, 0);
        int d = Shape.wrapDim(op, dim, x.dim());
        Tensor c = Pointwise.convertRaw(x, x.dtype() == DType.BOOL ? DType.INT64 : x.dtype());
        long[] shape = c.shape();
        long outer = prod(shape, 0, d), in = prod(shape, d + 1, shape.length), size = shape[d];
        long[] outShape = shape.clone();
        outShape[d] = 1;
        Tensor out = Tensor.empty(DType.INT64, outShape);
        long off = c.offset();
        DType dt = c.dtype();
        Loops.using(op, new Tensor[] {c, out}, () -> {
            MemorySegment xs = c.segment(), os = out.segment();
            Parallel.forRange(outer, Math.max(1, Loops.GRAIN / Math.max(1, size * in)),
                    (lo, hi) -> K.argReduce(max, dt, xs, off + lo * size * in, hi - lo, size, in, os, lo * in));
        });
        return keepdim ? out : out.squeeze(d);
    }

    /** Variance with the given correction (1: Bessel's), composed of differentiable ops. */
    public static Tensor var(Tensor x, int[] dims, int correction, boolean keepdim) {
        boolean[] mask = dimMask("var", x, dims);
        int[] reduced = maskToDims(mask);
        long n = reducedCount(x.shape(), mask);
        Tensor out;
        try (var off = GradMode.noGrad()) {
            Tensor centered = x.sub(x.mean(reduced, true));
            out = centered.square().sum(reduced, keepdim).div(Math.max(0, n - correction));
        }
        return Graph.record("VarBackward0", out, x, (g, s) -> varBackward(g, s[0], mask, keepdim, correction), x);
    }

    /** Standard deviation with the given correction; the gradient is 0 where the deviation is 0, as PyTorch's. */
    public static Tensor std(Tensor x, int[] dims, int correction, boolean keepdim) {
        boolean[] mask = dimMask("std", x, dims);
        Tensor out;
        try (var off = GradMode.noGrad()) {
            out = var(x, dims, correction, keepdim).sqrt();
        }
        // d sqrt(v) = dv / (2 sqrt(v)), through var's derivative; masked where sqrt(v) = 0 rather than 0/0
        return Graph.record("StdBackward0", out, x, (g, s) -> varBackward(
                Tensor.where(s[1].eq(0), 0, g.div(s[1].mul(2))), s[0], mask, keepdim, correction), x, out);
    }

    /** d var / dx = 2 (x - mean) / (n - correction), times the gradient broadcast back over the reduced dims. */
    private static Tensor varBackward(Tensor g, Tensor x, boolean[] mask, boolean keepdim, int correction) {
        long[] in = x.shape();
        long n = reducedCount(in, mask);
        Tensor centered = x.sub(x.mean(maskToDims(mask), true));
        return expandBack(g, in, mask, keepdim).mul(centered).mul(2.0 / (n - correction));
    }

    /** log(sum(exp(x))) over dims, shifted by the (constant) maximum for stability. */
    public static Tensor logsumexp(Tensor x, int[] dims, boolean keepdim) {
        boolean[] mask = dimMask("logsumexp", x, dims);
        int[] reduced = maskToDims(mask);
        Tensor m;
        try (var off = GradMode.noGrad()) {
            m = x.amax(reduced, true);
            m = Tensor.where(m.abs().eq(Double.POSITIVE_INFINITY), 0, m);
        }
        Tensor out;
        try (var off = GradMode.noGrad()) {
            Tensor r = x.sub(m).exp().sum(reduced, true).log().add(m);
            out = keepdim ? r : squeezeDims(r, mask);
        }
        long[] in = x.shape();
        // d/dx log sum exp(x) = exp(x - result), the softmax over the reduced dims
        return Graph.record("LogsumexpBackward0", out, x, (g, s) -> expandBack(g, in, mask, keepdim)
                .mul(s[0].sub(expandBack(s[1], in, mask, keepdim)).exp()), x, out);
    }

    /** Softmax (or log-softmax) along a dim by the fused row kernel. */
    public static Tensor softmax(Tensor x, int dim, boolean log) {
        String op = log ? "logSoftmax" : "softmax";
        if (!x.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": expected a floating dtype, given " + x.describe());
        }
        int d = Shape.wrapDim(op, dim, x.dim());
        int last = Math.max(0, x.dim() - 1);
        Tensor rows = Pointwise.convertRaw(x.detach().transpose(d, last), x.dtype());
        Tensor y = Tensor.empty(x.dtype(), rows.shape());
        long cols = x.dim() == 0 ? 1 : rows.size(last), n = rows.numel() / Math.max(1, cols);
        long xo = rows.offset();
        DType dt = x.dtype();
        Loops.using(op, new Tensor[] {rows, y}, () -> {
            MemorySegment xs = rows.segment(), ys = y.segment();
            Parallel.forRange(n, Math.max(1, Loops.GRAIN / Math.max(1, cols)),
                    (lo, hi) -> K.softmax(log, dt, xs, xo + lo * cols, hi - lo, cols, ys, lo * cols));
        });
        Tensor out = y.transpose(d, last);
        if (log) {
            return Graph.record("LogSoftmaxBackward0", out, x,
                    (g, s) -> g.sub(s[0].exp().mul(g.sum(d, true))), out);
        }
        return Graph.record("SoftmaxBackward0", out, x,
                (g, s) -> s[0].mul(g.sub(g.mul(s[0]).sum(d, true))), out);
    }

    /** Sums a broadcast tensor back to {@code target} (the adjoint of expand). */
    public static Tensor sumTo(Tensor x, long[] target) {
        long[] shape = x.shape();
        if (Arrays.equals(shape, target)) return x;
        int lead = shape.length - target.length;
        if (lead < 0) {
            throw new IllegalArgumentException("sumTo: cannot sum " + x.describe() + " to the larger shape "
                    + Shape.str(target));
        }
        int[] dims = new int[shape.length];
        int n = 0;
        for (int i = 0; i < shape.length; i++) {
            if (i < lead || (target[i - lead] == 1 && shape[i] != 1)) dims[n++] = i;
            else if (target[i - lead] != shape[i]) {
                throw new IllegalArgumentException("sumTo: shape " + Shape.str(shape) + " is not a broadcast of "
                        + Shape.str(target));
            }
        }
        Tensor s = n == 0 ? x : x.sum(Arrays.copyOf(dims, n), true);
        return s.reshape(target);
    }

    /** The number of nonzero elements. */
    public static long count(Tensor x) {
        Tensor nz = Pointwise.compare(dev.panagrad.kernels.CompareOp.NE, x, Tensor.scalar(x.dtype(), 0));
        return (long) reduce(ReduceOp.SUM, Pointwise.convertRaw(nz, DType.INT64), dimMask("count", x, null), false)
                .toDoubleArray()[0];
    }

    // ------------------------------------------------------------ plumbing

    /** Reduces the masked dims of x without autograd; the result keeps them as size 1 when keepdim. */
    static Tensor reduce(ReduceOp op, Tensor x, boolean[] mask, boolean keepdim) {
        long[] shape = x.shape();
        int r = shape.length;
        long[] kept = shape.clone();
        for (int i = 0; i < r; i++) if (mask[i]) kept[i] = 1;
        Tensor out = Tensor.empty(x.dtype(), kept);
        // Reduced dims that form one block of a contiguous tensor need no copy; otherwise move them last.
        int first = -1, lastDim = -1;
        boolean block = true;
        for (int i = 0; i < r; i++) {
            if (!mask[i] || shape[i] == 1) continue;
            if (first < 0) first = i;
            else if (lastDim != i - 1) {
                for (int j = lastDim + 1; j < i; j++) block &= shape[j] == 1;
            }
            lastDim = i;
        }
        Tensor c;
        long outer, size, inner;
        if (first < 0) {
            c = Pointwise.convertRaw(x, x.dtype());
            outer = c.numel();
            size = 1;
            inner = 1;
        } else if (block) {
            c = Pointwise.convertRaw(x, x.dtype());
            outer = prod(shape, 0, first);
            size = prod(shape, first, lastDim + 1);
            inner = prod(shape, lastDim + 1, r);
        } else {
            int[] perm = new int[r];
            int k = 0;
            for (int i = 0; i < r; i++) if (!mask[i]) perm[k++] = i;
            for (int i = 0; i < r; i++) if (mask[i]) perm[k++] = i;
            c = Pointwise.convertRaw(x.detach().permute(perm), x.dtype());
            size = reducedCount(shape, mask);
            outer = size == 0 ? Shape.numel(kept) : c.numel() / size;
            inner = 1;
        }
        run(op, c, outer, size, inner, out);
        return keepdim ? out : squeezeDims(out, mask);
    }

    /**
     * Elements per partial result of one long reduction. Fixed, so that the partials, and the order in which
     * they are combined, depend on the length alone: the result is the same for every thread count.
     */
    static final long FULL_CHUNK = 1 << 16;

    private static void run(ReduceOp op, Tensor c, long outer, long size, long inner, Tensor out) {
        // One long reduction is split: a partial result per fixed chunk, then the partials reduced in order.
        long chunks = outer * inner == 1 && size >= 2 * FULL_CHUNK ? (size + FULL_CHUNK - 1) / FULL_CHUNK : 0;
        Tensor partial = chunks > 0 ? Tensor.empty(c.dtype(), chunks) : null;
        Tensor[] operands = partial == null ? new Tensor[] {c, out} : new Tensor[] {c, out, partial};
        Loops.using(Loops.name(op), operands, () -> {
            MemorySegment xs = c.segment(), os = out.segment();
            long xo = c.offset();
            DType dt = c.dtype();
            if (partial != null) {
                MemorySegment ps = partial.segment();
                Parallel.forRange(chunks, Math.max(1, Loops.GRAIN / FULL_CHUNK), (lo, hi) -> {
                    for (long t = lo; t < hi; t++) {
                        long start = t * FULL_CHUNK;
                        K.reduce(op, dt, xs, xo + start, 1, Math.min(FULL_CHUNK, size - start), 1, ps, t);
                    }
                });
                K.reduce(op, dt, ps, 0, 1, chunks, 1, os, 0);
                return;
            }
            Parallel.forRange(outer, Math.max(1, Loops.GRAIN / Math.max(1, size * inner)),
                    (lo, hi) -> K.reduce(op, dt, xs, xo + lo * size * inner, hi - lo, size, inner, os, lo * inner));
        });
    }

    /** g (reduced shape) broadcast back over the input shape. */
    static Tensor expandBack(Tensor g, long[] inShape, boolean[] mask, boolean keepdim) {
        Tensor k = g;
        if (!keepdim) {
            for (int i = 0; i < mask.length; i++) if (mask[i]) k = k.unsqueeze(i);
        }
        return k.expand(inShape);
    }

    static boolean[] dimMask(String op, Tensor x, int[] dims) {
        boolean[] mask = new boolean[x.dim()];
        if (dims == null) {
            Arrays.fill(mask, true);
            return mask;
        }
        for (int d : dims) {
            int w = Shape.wrapDim(op, d, x.dim());
            if (x.dim() == 0) continue;
            if (mask[w]) throw new IllegalArgumentException(op + ": dim " + w + " appears multiple times in the list of dims");
            mask[w] = true;
        }
        return mask;
    }

    static int[] maskToDims(boolean[] mask) {
        int n = 0;
        for (boolean b : mask) if (b) n++;
        int[] dims = new int[n];
        for (int i = 0, j = 0; i < mask.length; i++) if (mask[i]) dims[j++] = i;
        return dims;
    }

    private static Tensor squeezeDims(Tensor t, boolean[] mask) {
        long[] shape = t.shape();
        long[] ns = new long[shape.length - maskToDims(mask).length];
        for (int i = 0, j = 0; i < shape.length; i++) if (!mask[i]) ns[j++] = shape[i];
        return t.reshape(ns);
    }

    private static long reducedCount(long[] shape, boolean[] mask) {
        long n = 1;
        for (int i = 0; i < shape.length; i++) if (mask[i]) n *= shape[i];
        return n;
    }

    private static long prod(long[] shape, int from, int to) {
        long n = 1;
        for (int i = from; i < to; i++) n *= shape[i];
        return n;
    }

    private static void checkNonEmpty(String op, Tensor x) {
        if (x.numel() == 0) {
            throw new IllegalArgumentException(op + ": expected a non-empty tensor, given " + x.describe()
                    + "; specify a dim to reduce an empty tensor");
        }
    }
}
