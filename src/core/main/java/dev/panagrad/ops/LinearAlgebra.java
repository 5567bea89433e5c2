package dev.panagrad.ops;

import dev.panagrad.DType;
import dev.panagrad.Graph;
import dev.panagrad.Shape;
import dev.panagrad.Tensor;
import dev.panagrad.kernels.Kernels;

import java.util.Arrays;


/**
 * Matrix products. {@link #mm} and {@link #bmm} call the GEMM kernel (OpenBLAS when loaded) directly on
 * transposed views, copying only operands whose strides no GEMM can read; {@link #matmul} reduces
 * PyTorch's 1-D, 2-D and broadcast batched cases to them.
 *
 * <pre>{@code
 * Tensor y = x.matmul(w.t());   // [batch, in] @ [in, out]
 * }</pre>
 */
public final class LinearAlgebra {
    private LinearAlgebra() {}

    private static final Kernels K = Kernels.active();

    /** PyTorch's matmul: dot, matrix-vector, matrix-matrix, and batched with broadcast batch dims. */
    public static Tensor matmul(Tensor a, Tensor b) {
        int ra = a.dim(), rb = b.dim();
        if (ra == 0 || rb == 0) {
            throw new IllegalArgumentException("matmul: both arguments need at least 1 dimension; given "
                    + a.describe() + " and " + b.describe());
        }
        checkFloat("matmul", a, b);
        checkInner("matmul", a, b, a.size(-1), rb == 1 ? b.size(0) : b.size(-2));
        if (ra == 1 && rb == 1) return dot(a, b);
        if (ra == 2 && rb == 1) return mv(a, b);
        if (ra == 1 && rb == 2) return mm(a.unsqueeze(0), b).squeeze(0);
        if (ra == 2 && rb == 2) return mm(a, b);
        if (rb <= 2) {
            // [..., n, k] @ [k, m]: fold the batch into the rows for one large GEMM.
            Tensor b2 = rb == 1 ? b.unsqueeze(1) : b;
            long[] sa = a.shape();
            // the rows by their count, not -1: an empty k would leave -1 undetermined
            Tensor out = mm(a.reshape(Shape.numel("matmul", Arrays.copyOf(sa, ra - 1)), sa[ra - 1]), b2);
            long[] os = sa.clone();
            os[ra - 1] = b2.size(1);
            Tensor r = out.reshape(os);
            return rb == 1 ? r.squeeze(-1) : r;
        }
        Tensor a3 = ra == 1 ? a.unsqueeze(0) : a, b3 = b;
        long[] sa = a3.shape(), sb = b3.shape();
        long n = sa[sa.length - 2], k = sa[sa.length - 1], m = sb[sb.length - 1];
        long[] batch;
        try {
            batch = Shape.broadcast("matmul", Arrays.copyOf(sa, sa.length - 2), Arrays.copyOf(sb, sb.length - 2));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("matmul: batch dimensions cannot be broadcast: a is " + Shape.str(a.shape())
                    + ", b is " + Shape.str(b.shape()) + "; expected the dims before the last two to broadcast", e);
        }
        long bn = Shape.numel(batch);
        Tensor ae = a3.expand(concat(batch, n, k)).reshape(bn, n, k);
        Tensor be = b3.expand(concat(batch, k, m)).reshape(bn, k, m);
        Tensor r = bmm(ae, be).reshape(concat(batch, n, m));
        return ra == 1 ? r.squeeze(-2) : r;
    }

    /** The inner product of two vectors, recorded as DotBackward0: d/da = g b, d/db = g a. */
    public static Tensor dot(Tensor a, Tensor b) {
        Tensor out;
        try (var off = dev.panagrad.GradMode.noGrad()) {
            out = mm(a.unsqueeze(0), b.unsqueeze(1)).reshape();
        }
        return Graph.record("DotBackward0", out, Graph.of(a, b), Graph.of(a, b),
                (g, s) -> Graph.of(s[1].mul(g), s[0].mul(g)));
    }

    /** Matrix times vector, [n, k] @ [k], recorded as MvBackward0: d/da = g b^T (outer product), d/db = a^T g. */
    public static Tensor mv(Tensor a, Tensor b) {
        Tensor out;
        try (var off = dev.panagrad.GradMode.noGrad()) {
            out = mm(a, b.unsqueeze(1)).squeeze(1);
        }
        return Graph.record("MvBackward0", out, Graph.of(a, b), Graph.of(a, b),
                (g, s) -> Graph.of(g.unsqueeze(1).mul(s[1]), mv(s[0].t(), g)));
    }

    /** [n, k] @ [k, m], recorded as MmBackward0. */
    public static Tensor mm(Tensor a, Tensor b) {
        if (a.dim() != 2 || b.dim() != 2) {
            throw new IllegalArgumentException("mm: expected 2-D matrices, given " + a.describe() + " and " + b.describe());
        }
        checkInner("mm", a, b, a.size(1), b.size(0));
        DType dt = checkFloat("mm", a, b);
        Tensor out = Tensor.empty(dt, a.size(0), b.size(1));
        gemm(a, b, out, 0);
        return Graph.record("MmBackward0", out, Graph.of(a, b), Graph.of(a, b),
                (g, s) -> Graph.of(g.mm(s[1].t()), g.t().mm(s[0]).t()));
    }

    /** [batch, n, k] @ [batch, k, m], recorded as BmmBackward0. */
    public static Tensor bmm(Tensor a, Tensor b) {
        if (a.dim() != 3 || b.dim() != 3 || a.size(0) != b.size(0)) {
            throw new IllegalArgumentException("bmm: expected 3-D tensors with equal batch sizes, given "
                    + a.describe() + " and " + b.describe());
        }
        checkInner("bmm", a, b, a.size(2), b.size(1));
        DType dt = checkFloat("bmm", a, b);
        long batch = a.size(0);
        Tensor out = Tensor.empty(dt, batch, a.size(1), b.size(2));
        for (long i = 0; i < batch; i++) gemm(a.detach().select(0, i), b.detach().select(0, i), out, i);
        return Graph.record("BmmBackward0", out, Graph.of(a, b), Graph.of(a, b),
                (g, s) -> Graph.of(g.bmm(s[1].transpose(1, 2)), s[0].transpose(1, 2).bmm(g)));
    }

    /** out[batchIndex] = a @ b for matrices a, b given as (possibly transposed) views. */
    private static void gemm(Tensor a, Tensor b, Tensor out, long batchIndex) {
        long n = a.size(0), k = a.size(1), m = b.size(1);
        long cOff = batchIndex * n * m;
        if (n == 0 || m == 0) return;
        if (k == 0) {
            Pointwise.fillRaw(out.detach().view(-1).narrow(0, cOff, n * m), 0);
            return;
        }
        Operand x = operand(a), y = operand(b);
        Loops.using("matmul", new Tensor[] {x.t, y.t, out}, () -> K.gemm(out.dtype(), x.trans, y.trans, n, m, k, 1.0,
                x.t.segment(), x.t.offset(), x.ld, y.t.segment(), y.t.offset(), y.ld, 0.0, out.segment(), cOff, m));
    }

    /** A matrix as GEMM reads it: row-major with leading dimension ld, or transposed (column-major). */
    private record Operand(Tensor t, boolean trans, long ld) {}

    private static Operand operand(Tensor t) {
        long r = t.size(0), c = t.size(1);
        long[] st = t.strides();
        if ((st[1] == 1 || c == 1) && (st[0] >= c || r == 1)) return new Operand(t, false, Math.max(st[0], c));
        if ((st[0] == 1 || r == 1) && (st[1] >= r || c == 1)) return new Operand(t, true, Math.max(st[1], r));
        return new Operand(Pointwise.convertRaw(t.detach(), t.dtype()), false, c);
    }

    private static void checkInner(String op, Tensor a, Tensor b, long k1, long k2) {
        if (k1 != k2) {
            throw new IllegalArgumentException(op + ": inner dimensions differ: a is " + Shape.str(a.shape())
                    + ", b is " + Shape.str(b.shape()) + "; need a.shape[-1] == b.shape[-2]");
        }
    }

    private static DType checkFloat(String op, Tensor a, Tensor b) {
        if (a.dtype() != b.dtype() || !a.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": expected two float32 or two float64 operands, given "
                    + a.describe() + " and " + b.describe());
        }
        return a.dtype();
    }

    private static long[] concat(long[] batch, long r, long c) {
        long[] s = Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = r;
        s[batch.length + 1] = c;
        return s;
    }
}
