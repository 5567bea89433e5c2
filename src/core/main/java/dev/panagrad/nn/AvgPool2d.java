package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Graph;
import dev.panagrad.Tensor;
import dev.panagrad.kernels.Kernels;
import dev.panagrad.kernels.Parallel;
import dev.panagrad.kernels.Window2d;
import dev.panagrad.ops.Pinning;
import dev.panagrad.ops.Pointwise;

import java.lang.foreign.MemorySegment;

/**
 * 2-D average pooling: the mean of each window, counting the zero padding in the divisor unless
 * {@code countIncludePad} is false. Pooling and its adjoint are recorded as each other's derivative, so it is
 * differentiable to any order.
 *
 * <pre>{@code
 * Tensor y = new AvgPool2d(2).forward(Tensor.randn(8, 32, 28, 28));   // [8, 32, 14, 14]
 * }</pre>
 */
public class AvgPool2d extends Module {
    private final int[] kernelSize, stride, padding;
    private final boolean countIncludePad;

    /** A square window with stride equal to its size. */
    public AvgPool2d(int kernelSize) {
        this(Windows.pair(kernelSize), Windows.pair(kernelSize), Windows.pair(0), true);
    }

    /** Every setting as {height, width} pairs. */
    public AvgPool2d(int[] kernelSize, int[] stride, int[] padding, boolean countIncludePad) {
        this.kernelSize = Windows.checkPair("AvgPool2d", "kernel_size", kernelSize, 1);
        this.stride = Windows.checkPair("AvgPool2d", "stride", stride, 1);
        this.padding = Windows.checkPair("AvgPool2d", "padding", padding, 0);
        this.countIncludePad = countIncludePad;
    }

    @Override
    public Tensor forward(Tensor input) {
        return avgPool2d(input, kernelSize, stride, padding, countIncludePad);
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + Windows.str(kernelSize) + ", stride=" + Windows.str(stride) + ", padding="
                + Windows.str(padding);
    }

    /** Average pooling over the last two dims of x {@code [N, C, H, W]} or {@code [C, H, W]}. */
    public static Tensor avgPool2d(Tensor x, int[] kernelSize, int[] stride, int[] padding, boolean countIncludePad) {
        Windows.checkImage("avgPool2d", x);
        int[] k = Windows.checkPair("avgPool2d", "kernel_size", kernelSize, 1);
        int[] pad = Windows.checkPair("avgPool2d", "padding", padding, 0);
        if (2 * pad[0] > k[0] || 2 * pad[1] > k[1]) {
            throw new IllegalArgumentException("avgPool2d: pad should be at most half of kernel size; given padding "
                    + Windows.str(pad) + " for kernel " + Windows.str(k));
        }
        Window2d w = Windows.window("avgPool2d", x, k, Windows.checkPair("avgPool2d", "stride", stride, 1), pad,
                Windows.pair(1));
        return pool(x, w, countIncludePad);
    }

    /** y = A x, with A the averaging map; derivative A^T g. */
    private static Tensor pool(Tensor x, Window2d w, boolean countPadding) {
        DType dt = x.dtype();
        long plane = w.height() * w.width(), outPlane = w.outH() * w.outW(), planes = x.numel() / plane;
        long[] inShape = x.shape(), outShape = x.shape();
        outShape[outShape.length - 2] = w.outH();
        outShape[outShape.length - 1] = w.outW();
        Tensor xc = Pointwise.convertRaw(x.detach(), dt);
        Tensor y = Tensor.empty(dt, outShape);
        long xo = xc.offset(), work = outPlane * w.kernelH() * w.kernelW();
        Pinning.run("avgPool2d", () -> {
            MemorySegment xs = xc.segment(), ys = y.segment();
            Parallel.forRange(planes, Math.max(1, Windows.GRAIN / Math.max(1, work)),
                    (lo, hi) -> Kernels.active().avgPool2d(dt, w, countPadding, xs, xo + lo * plane, hi - lo, ys,
                            lo * outPlane));
        }, xc, y);
        return Graph.record("AvgPool2DBackward0", y, x, (g, s) -> adjoint(g, w, countPadding, inShape));
    }

    /** A^T g: each output's gradient shared equally by its window; derivative A gg. */
    private static Tensor adjoint(Tensor g, Window2d w, boolean countPadding, long[] inShape) {
        DType dt = g.dtype();
        long plane = w.height() * w.width(), outPlane = w.outH() * w.outW(), planes = g.numel() / outPlane;
        Tensor gc = Pointwise.convertRaw(g.detach(), dt);
        Tensor gx = Tensor.zeros(dt, inShape);
        long go = gc.offset(), work = outPlane * w.kernelH() * w.kernelW();
        Pinning.run("avgPool2dBackward", () -> {
            MemorySegment gs = gc.segment(), xs = gx.segment();
            Parallel.forRange(planes, Math.max(1, Windows.GRAIN / Math.max(1, work)),
                    (lo, hi) -> Kernels.active().avgPool2dAdjoint(dt, w, countPadding, gs, go + lo * outPlane,
                            hi - lo, xs, lo * plane));
        }, gc, gx);
        return Graph.record("AvgPool2DBackwardBackward0", gx, g, (gg, s) -> pool(gg, w, countPadding));
    }
}
