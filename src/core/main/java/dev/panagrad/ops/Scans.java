package dev.panagrad.ops;

import dev.panagrad.DType;
import dev.panagrad.Graph;
import dev.panagrad.Shape;
import dev.panagrad.Tensor;
import dev.panagrad.kernels.BinaryOp;

import java.util.ArrayList;
import java.util.List;

/**
 * Inclusive scans along a dim: cumulative sums and products. The forward walks the dim one slice at a time,
 * each step one elementwise kernel call over all the other dims, so long rows of short scans and short rows
 * of long scans both stay on the vector loops.
 *
 * <pre>{@code
 * Tensor c = Tensor.of(1.0, 2.0, 3.0).cumsum(0);   // [1, 3, 6]
 * }</pre>
 */
public final class Scans {
    private Scans() {}

    /** {@code out[i] = x[0] + ... + x[i]} along dim; integers and masks give int64, as torch.cumsum. */
    public static Tensor cumsum(Tensor x, int dim) {
        if (x.dim() == 0) return cumsum(x.reshape(1), 0).reshape();
        int d = Shape.wrapDim("cumsum", dim, x.dim());
        Tensor out = scan(BinaryOp.ADD, x, d);
        // each x[j] reaches every out[i] with i >= j: the gradient is a reversed cumulative sum
        return Graph.record("CumsumBackward0", out, x, (g, s) -> g.flip(d).cumsum(d).flip(d));
    }

    /** {@code out[i] = x[0] * ... * x[i]} along dim. */
    public static Tensor cumprod(Tensor x, int dim) {
        if (x.dim() == 0) return cumprod(x.reshape(1), 0).reshape();
        int d = Shape.wrapDim("cumprod", dim, x.dim());
        Tensor out = scan(BinaryOp.MUL, x, d);
        return Graph.record("CumprodBackward0", out, x, (g, s) -> cumprodGrad(s[0], g, d), x);
    }

    /**
     * d out[j] / d x[i] = prod_{k < i} x[k] * prod_{i < k <= j} x[k] for j >= i, written without dividing by x[i]
     * so zeros are exact: grad[i] = P[i] * S[i] with P the exclusive prefix product and
     * S[i] = g[i] + x[i+1] * S[i+1] (a reversed scan).
     */
    private static Tensor cumprodGrad(Tensor x, Tensor g, int d) {
        long n = x.size(d);
        List<Tensor> rev = new ArrayList<>();
        Tensor acc = g.select(d, n - 1);
        rev.add(acc);
        for (long i = n - 2; i >= 0; i--) {
            acc = g.select(d, i).add(x.select(d, i + 1).mul(acc));
            rev.add(acc);
        }
        List<Tensor> forward = new ArrayList<>(rev.reversed());
        Tensor suffix = Tensor.stack(forward, d);
        Tensor first = x.narrow(d, 0, 1).onesLike();
        Tensor prefix = n == 1 ? first : Tensor.cat(List.of(first, x.narrow(d, 0, n - 1).cumprod(d)), d);
        return prefix.mul(suffix);
    }

    /** The inclusive scan of {@code op} along d, without autograd. */
    private static Tensor scan(BinaryOp op, Tensor x, int d) {
        DType dt = x.dtype().isFloating() ? x.dtype() : DType.INT64;
        Tensor out = Tensor.empty(dt, x.shape());
        Pointwise.copyRaw(out, x);
        for (long i = 1; i < x.size(d); i++) {
            Tensor cur = out.select(d, i);
            Pointwise.binaryInto(op, cur, out.select(d, i - 1), cur);
        }
        return out;
    }
}
