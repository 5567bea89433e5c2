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
 * 2-D max pooling: the maximum of each window (padding never wins). The gradient goes to the position of
 * each maximum; {@link #maxPool2dWithIndices} also returns those positions ({@code ih*W + iw} per plane).
 *
 * <pre>{@code
 * Tensor y = new MaxPool2d(2).forward(Tensor.randn(8, 32, 28, 28));   // [8, 32, 14, 14]
 * }</pre>
 */
public class MaxPool2d extends Module {
    private final int[] kernelSize, stride, padding, dilation;

    /** A square window with stride equal to its size. */
    public MaxPool2d(int kernelSize) {
        this(Windows.pair(kernelSize), Windows.pair(kernelSize), Windows.pair(0), Windows.pair(1));
    }

    /** Every setting as {height, width} pairs. */
    public MaxPool2d(int[] kernelSize, int[] stride, int[] padding, int[] dilation) {
        this.kernelSize = Windows.checkPair("MaxPool2d", "kernel_size", kernelSize, 1);
        this.stride = Windows.checkPair("MaxPool2d", "stride", stride, 1);
        this.padding = Windows.checkPair("MaxPool2d", "padding", padding, 0);
        this.dilation = Windows.checkPair("MaxPool2d", "dilation", dilation, 1);
    }

    @Override
    public Tensor forward(Tensor input) {
        return maxPool2dWithIndices(input, kernelSize, stride, padding, dilation)[0];
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + Windows.str(kernelSize) + ", stride=" + Windows.str(stride) + ", padding="
                + Windows.str(padding) + ", dilation=" + Windows.str(dilation);
    }

    /** Max pooling with a square window and stride equal to it. */
    public static Tensor maxPool2d(Tensor x, int kernelSize) {
        return maxPool2dWithIndices(x, Windows.pair(kernelSize), Windows.pair(kernelSize), Windows.pair(0),
                Windows.pair(1))[0];
    }

    /** {values, int64 indices} of max pooling over the last two dims of x {@code [N, C, H, W]} or {@code [C, H, W]}. */
    public static Tensor[] maxPool2dWithIndices(Tensor x, int[] kernelSize, int[] stride, int[] padding,
                                                int[] dilation) {
        Window2d w = window("maxPool2d", x, kernelSize, stride, padding, dilation);
        DType dt = x.dtype();
        long plane = w.height() * w.width(), outPlane = w.outH() * w.outW(), planes = x.numel() / plane;
        long[] inShape = x.shape(), outShape = x.shape();
        outShape[outShape.length - 2] = w.outH();
        outShape[outShape.length - 1] = w.outW();
        Tensor xc = Pointwise.convertRaw(x.detach(), dt);
        Tensor y = Tensor.empty(dt, outShape), idx = Tensor.empty(DType.INT64, outShape);
        long xo = xc.offset();
        long window = (long) w.kernelH() * w.kernelW();
        Pinning.run("maxPool2d", () -> {
            MemorySegment xs = xc.segment(), ys = y.segment(), is = idx.segment();
            Parallel.forRange(planes, Math.max(1, Windows.GRAIN / Math.max(1, outPlane * window)),
                    (lo, hi) -> Kernels.active().maxPool2d(dt, w, xs, xo + lo * plane, hi - lo, ys, lo * outPlane, is,
                            lo * outPlane));
        }, xc, y, idx);
        // d y[p, o] / d x[p, idx[p, o]] = 1: the gradient is scattered back to the positions of the maxima
        Tensor out = Graph.record("MaxPool2DWithIndicesBackward0", y, x,
                (g, s) -> scatterToMaxima(g, s[0], planes, plane, inShape), idx);
        return new Tensor[] {out, idx};
    }

    /** Max pooling's window over x's last two dims, after checking x and every setting. */
    static Window2d window(String op, Tensor x, int[] kernelSize, int[] stride, int[] padding, int[] dilation) {
        Windows.checkImage(op, x);
        int[] k = Windows.checkPair(op, "kernel_size", kernelSize, 1);
        int[] pad = Windows.checkPair(op, "padding", padding, 0);
        if (2 * pad[0] > k[0] || 2 * pad[1] > k[1]) {
            throw new IllegalArgumentException(op + ": pad should be at most half of effective kernel size; given "
                    + "padding " + Windows.str(pad) + " for kernel " + Windows.str(k));
        }
        return Windows.window(op, x, k, Windows.checkPair(op, "stride", stride, 1), pad,
                Windows.checkPair(op, "dilation", dilation, 1));
    }

    /** Elements of the input gradient zeroed at once before the scatter into them (well inside L2). */
    private static final long CACHED = 1 << 14;

    /**
     * {@code gx[p, idx[p, o]] += g[p, o]}: linear in g, so its derivative gathers at the same indices. The
     * indices come from the forward kernel and need no range check.
     */
    static Tensor scatterToMaxima(Tensor g, Tensor idx, long planes, long plane, long[] inShape) {
        DType dt = g.dtype();
        long outPlane = idx.numel() / Math.max(1, planes);
        Tensor gc = Pointwise.convertRaw(g.detach(), dt);
        Tensor gx = Tensor.empty(dt, inShape);
        long go = gc.offset(), block = Math.max(1, CACHED / Math.max(1, plane));
        Pinning.run("maxPool2dBackward", () -> {
            MemorySegment gs = gc.segment(), is = idx.segment(), xs = gx.segment();
            Parallel.forRange(planes, Math.max(1, Windows.GRAIN / Math.max(1, outPlane)), (lo, hi) -> {
                // zeroed a few planes at a time, so that the scatter finds them in cache
                for (long p = lo; p < hi; p += block) {
                    long n = Math.min(block, hi - p);
                    Kernels.active().fill(dt, xs, p * plane, 1, n * plane, 0);
                    Kernels.active().scatterAdd(dt, gs, go + p * outPlane, n, outPlane, 1, is, p * outPlane, plane, xs,
                            p * plane);
                }
            });
        }, gc, idx, gx);
        long[] outShape = idx.shape();
        return Graph.record("MaxPool2DWithIndicesBackwardBackward0", gx, g,
                (gg, s) -> gg.reshape(planes, plane).gather(1, s[0].reshape(planes, outPlane)).reshape(outShape), idx);
    }
}
