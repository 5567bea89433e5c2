package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Graph;
import dev.panagrad.Tensor;
import dev.panagrad.kernels.Kernels;
import dev.panagrad.kernels.Parallel;
import dev.panagrad.kernels.Window2d;
import dev.panagrad.ops.Pinning;
import dev.panagrad.ops.Pointwise;

/**
 * The linear map from images to the column matrix a convolution multiplies (im2col) and its adjoint
 * (col2im), each recorded with the other as its derivative, so convolution built on them is differentiable
 * to any order. Columns are laid out {@code [C*kh*kw, N*OH*OW]}: one GEMM covers the whole batch.
 */
final class Im2col {
    private Im2col() {}

    private static final Kernels K = Kernels.active();

    /** The columns of x {@code [N, C, H, W]}: {@code cols[(c*kh + i)*kw + j, n*L + oh*OW + ow]}. */
    static Tensor columns(Tensor x, Window2d w) {
        DType dt = x.dtype();
        long n = x.size(0), c = x.size(1), plane = w.height() * w.width(), l = w.outH() * w.outW();
        long rows = c * w.kernelH() * w.kernelW();
        Tensor xc = Pointwise.convertRaw(x.detach(), dt);
        Tensor cols = Tensor.empty(dt, rows, n * l);
        long xo = xc.offset();
        Pinning.run("im2col", () -> Parallel.forRange(n, Math.max(1, Windows.GRAIN / Math.max(1, rows * l)),
                (lo, hi) -> K.im2col(dt, w, c, xc.segment(), xo + lo * c * plane, hi - lo, cols.segment(), lo * l,
                        n * l)), xc, cols);
        long[] shape = x.shape();
        return Graph.record("Im2ColBackward0", cols, x, (g, s) -> image(g, w, shape));
    }

    /** The adjoint of {@link #columns}: every column entry added back into the image position it came from. */
    static Tensor image(Tensor cols, Window2d w, long[] shape) {
        DType dt = cols.dtype();
        long n = shape[0], c = shape[1], plane = w.height() * w.width(), l = w.outH() * w.outW();
        Tensor y = Tensor.zeros(dt, shape);
        long[] st = cols.strides();
        long co = cols.offset();
        Pinning.run("col2im", () -> Parallel.forRange(n, Math.max(1, Windows.GRAIN / Math.max(1, cols.size(0) * l)),
                (lo, hi) -> K.col2im(dt, w, c, cols.segment(), co + lo * l * st[1], st[0], st[1], hi - lo,
                        y.segment(), lo * c * plane)), cols, y);
        return Graph.record("Col2ImBackward0", y, cols, (g, s) -> columns(g, w));
    }
}
