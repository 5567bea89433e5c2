package dev.panagrad.ops;

import dev.panagrad.GradMode;
import dev.panagrad.Graph;
import dev.panagrad.Shape;
import dev.panagrad.Tensor;

import java.util.Arrays;

/**
 * Vector p-norms over dims (torch.linalg.vector_norm, torch.norm): {@code (sum |x|^p)^(1/p)}, the max and
 * min of |x| for p = +-inf, and the count of nonzeros for p = 0. The 2-norm records its own node so that its
 * gradient at a zero vector is 0, as PyTorch's, instead of 0/0.
 *
 * <pre>{@code
 * Tensor rowNorms = Norms.norm(x, 2, new int[] {1}, false);   // same as x.norm(2, 1)
 * }</pre>
 */
public final class Norms {
    private Norms() {}

    /** The p-norm over {@code dims} (all dims when null or empty). */
    public static Tensor norm(Tensor x, double p, int[] dims, boolean keepdim) {
        if (!x.dtype().isFloating()) {
            throw new IllegalArgumentException("norm: expected a floating point input; given " + x.describe());
        }
        int[] d = dims == null || dims.length == 0 ? allDims(x.dim()) : dims;
        if (p == Double.POSITIVE_INFINITY) return x.abs().amax(d, keepdim);
        if (p == Double.NEGATIVE_INFINITY) return x.abs().amin(d, keepdim);
        if (p == 0) return x.ne(0).to(x.dtype()).sum(d, keepdim).add(x.mul(0).sum(d, keepdim));   // gradient 0
        if (p == 1) return x.abs().sum(d, keepdim);
        if (p == 2) return twoNorm(x, d, keepdim);
        return x.abs().pow(p).sum(d, keepdim).pow(1 / p);
    }

    private static Tensor twoNorm(Tensor x, int[] dims, boolean keepdim) {
        Tensor out;
        try (var off = GradMode.noGrad()) {
            out = x.square().sum(dims, keepdim).sqrt();
        }
        int rank = x.dim();
        // d/dx ||x|| = x / ||x||, taken as 0 where ||x|| = 0
        return Graph.record("LinalgVectorNormBackward0", out, x, (g, s) -> {
            Tensor n = keepdim ? s[1] : unsqueezeAll(s[1], dims, rank), gk = keepdim ? g : unsqueezeAll(g, dims, rank);
            return Tensor.where(n.eq(0), 0, s[0].mul(gk).div(n));
        }, x, out);
    }

    /** Restores the reduced dims as size 1, so the reduction broadcasts against its input. */
    private static Tensor unsqueezeAll(Tensor t, int[] dims, int rank) {
        int[] sorted = new int[dims.length];
        for (int i = 0; i < dims.length; i++) sorted[i] = Shape.wrapDim("norm", dims[i], Math.max(1, rank));
        Arrays.sort(sorted);
        for (int d : sorted) t = t.unsqueeze(d);
        return t;
    }

    private static int[] allDims(int rank) {
        int[] d = new int[rank];
        for (int i = 0; i < rank; i++) d[i] = i;
        return d;
    }
}
